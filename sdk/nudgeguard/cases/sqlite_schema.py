"""The SQLite case store's schema as a fresh store gets it (idempotent statements).

Its own module so that both the store and the migrations' baseline step read it.
"""

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, platform TEXT NOT NULL, community_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL, subject TEXT NOT NULL, target TEXT NOT NULL,
    severity TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT, score REAL NOT NULL,
    signals TEXT NOT NULL, stages TEXT NOT NULL, reasons TEXT NOT NULL,
    opened_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS cases_pair
    ON cases(platform, community_id, conversation_id, subject, target, status);
CREATE TABLE IF NOT EXISTS evidence (
    case_id TEXT NOT NULL REFERENCES cases(id), pos INTEGER NOT NULL, message_id TEXT NOT NULL,
    author TEXT NOT NULL, ts REAL NOT NULL, text TEXT NOT NULL, signals TEXT NOT NULL,
    attachment_count INTEGER NOT NULL, edited INTEGER NOT NULL, deleted INTEGER NOT NULL,
    PRIMARY KEY (case_id, message_id));
CREATE INDEX IF NOT EXISTS evidence_author ON evidence(author);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, ts REAL NOT NULL, kind TEXT NOT NULL,
    actor TEXT NOT NULL, salt TEXT NOT NULL, actor_commit TEXT NOT NULL, detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, case_id TEXT, target TEXT NOT NULL, kind TEXT NOT NULL,
    payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_at REAL NOT NULL, created_at REAL NOT NULL, done_at REAL, last_error TEXT, ref TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_at);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY, ts REAL NOT NULL, platform TEXT NOT NULL,
    community_id TEXT NOT NULL, level TEXT NOT NULL, signals TEXT NOT NULL,
    actions TEXT NOT NULL, mode TEXT NOT NULL, family TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS observations_ts ON observations(ts);
CREATE TABLE IF NOT EXISTS feedback (
    case_id TEXT NOT NULL, community_id TEXT NOT NULL, signal TEXT NOT NULL,
    verdict TEXT NOT NULL, ts REAL NOT NULL, PRIMARY KEY (case_id, signal));
"""
