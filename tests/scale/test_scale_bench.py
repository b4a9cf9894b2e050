"""bench --workers: a corpus split across processes decides exactly as one process does."""

from __future__ import annotations

import json
import multiprocessing

import redis
from click.testing import CliRunner

from nudgeguard.cli import main as cli
from nudgeguard.evaluation.scale_bench import WorkerJob, _worker, main, run_workers

from .corpus import write_corpus
from .services import closed_port


def test_two_workers_on_redis_and_postgres_decide_like_one_process(
    tmp_path, redis_url, postgres_db
):
    corpus = write_corpus(tmp_path / "c.jsonl", conversations=40, seed=3)
    report = run_workers([corpus], state_url=redis_url, dsn=postgres_db, workers=2)
    assert report["workers"] == 2 and report["cases"] == "postgres"
    assert report["decisions_match"] is True and report["decisions_mismatched"] == 0
    assert report["messages"] > 500 and report["pipeline_msgs_per_s"] > 0
    client = redis.Redis.from_url(redis_url)
    leftover = list(client.scan_iter(match=f"ngbench:{report['run']}:*", count=1000))
    assert leftover == [], "the run removes its keys"


def test_command_line_prints_the_bench_keys(tmp_path, redis_url, capsys):
    corpus = write_corpus(tmp_path / "c.jsonl", conversations=12, seed=5)
    code = main(["--corpus", str(corpus), "--state", redis_url, "--workers", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"workers", "decisions_match", "pipeline_msgs_per_s", "messages"} <= set(out)


def test_nudgeguard_bench_workers_on_the_synthetic_corpus(redis_url, postgres_db):
    from click.testing import CliRunner

    from nudgeguard.cli import main as cli

    args = ["bench", "--messages", "3000", "--workers", "2", "--state", redis_url]
    result = CliRunner().invoke(cli, [*args, "--cases", postgres_db, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["workers"] == 2 and report["messages"] == 3000
    assert report["decisions_match"] is True and report["cases"] == "postgres"


def test_nudgeguard_bench_workers_without_redis_is_a_clear_error():
    from click.testing import CliRunner

    from nudgeguard.cli import main as cli

    result = CliRunner().invoke(cli, ["bench", "--workers", "2"])
    assert result.exit_code != 0 and "--state" in result.output


def test_servers_that_cannot_be_used_are_named_before_any_work(redis_url):
    unusable = [
        (["--state", f"redis://127.0.0.1:{closed_port()}/0"], "--state: Redis cannot be used"),
        (["--state", "redis://[broken"], "--state: Redis cannot be used"),
        (
            ["--state", redis_url, "--cases", f"postgresql://127.0.0.1:{closed_port()}/x"],
            "--cases: PostgreSQL cannot be used",
        ),
    ]
    for args, complaint in unusable:
        result = CliRunner().invoke(cli, ["bench", "--workers", "2", "--messages", "500", *args])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
        assert complaint in result.output


def test_a_failing_worker_reports_instead_of_leaving_the_others_waiting():
    # Before, the parent waited ten minutes for the report of a worker that had died.
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    job = WorkerJob(0, 2, (), "unknown", "redis://[broken", "p:", None, None, 4, 200, 7)
    _worker(job, barrier, results)
    assert results.get(timeout=10) == ("failed", 0, "ValueError: Invalid IPv6 URL")
    assert barrier.broken, "the other workers would wait at the start line for ever"
