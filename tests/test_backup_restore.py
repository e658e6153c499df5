"""The README's backup and restore, through the command line: `ropa export backup.json --format json`, then
`ropa import backup.json` into an empty database made by init-db, gives the same register."""

import json

from ropa.cli import cli
from ropa.services.register import dump_register


def test_a_json_backup_restores_into_an_empty_database(seeded, run_cli, tmp_path, make_empty_register):
    backup = tmp_path / "backup.json"
    result = run_cli("export", str(backup), "--format", "json")
    assert result.exit_code == 0 and f"Wrote {backup}" in result.output
    before = dump_register()
    assert len(before["activities"]) >= 25 and before["transfers"] and before["organisations"]
    with make_empty_register() as empty:  # a copy of the database `ropa init-db` builds
        assert dump_register()["activities"] == []
        result = empty.test_cli_runner().invoke(cli, ["import", str(backup)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        after = dump_register()
    assert json.dumps(after, sort_keys=True, default=str) == json.dumps(before, sort_keys=True, default=str)
    assert after == before
