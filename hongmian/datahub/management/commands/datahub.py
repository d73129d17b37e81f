"""`hongmian datahub …`: the data hub's catalogue and ingestion from the command line.

    hongmian datahub dataset create --code CODE --name NAME --provider UNIT \\
        --schema TABLE_SCHEMA.json [--frequency daily] [--sharing conditional] \\
        [--legal-basis …] [--theme …] [--keyword …] [--summary …] [--commit]
    hongmian datahub ingest --dataset CODE --file FILE [--commit] [--show 100]
    hongmian datahub sources run [--all]

UNIT is an org unit's code or exact name. Without --commit each is a dry run: everything is
checked, nothing written. `ingest` prints the JSON run report; its rejects list is capped
at --show entries (rejects_total says how many there are; the rejects file has them all).
A run that fails prints its error code and exits with status 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.datahub.models import Dataset, DataSource
from hongmian.datahub.services.connectors import FileConnector
from hongmian.datahub.services.datasets import DatasetMeta, dataset_create, provider_find
from hongmian.datahub.services.ingestion import dataset_ingest, sources_run
from hongmian.datahub.states import Frequency, OpenType, RunOutcome, SharingType


class Command(BaseCommand):
    help = "Data hub: create datasets from Table Schemas, ingest files, run sources."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dataset = sub.add_parser("dataset", help="catalogue datasets")
        dataset_sub = dataset.add_subparsers(dest="dataset_action", required=True)
        create = dataset_sub.add_parser("create", help="create a dataset (dry run by default)")
        create.add_argument("--code", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--provider", required=True, help="org unit code or exact name")
        create.add_argument("--schema", required=True, type=Path, help="Table Schema JSON file")
        create.add_argument("--summary", default="")
        create.add_argument("--frequency", default=Frequency.IRREGULAR, choices=Frequency.values)
        create.add_argument(
            "--sharing", default=SharingType.UNCONDITIONAL, choices=SharingType.values
        )
        create.add_argument("--open", default=OpenType.NOT_OPEN, choices=OpenType.values)
        create.add_argument("--conditions", default="")
        create.add_argument("--legal-basis", default="")
        create.add_argument("--theme", action="append", default=[])
        create.add_argument("--keyword", action="append", default=[])
        create.add_argument("--format", default="CSV")
        create.add_argument("--pipeline", default="")
        create.add_argument("--commit", action="store_true")

        ingest = sub.add_parser("ingest", help="check and load a file (dry run by default)")
        ingest.add_argument("--dataset", required=True)
        ingest.add_argument("--file", required=True, type=Path)
        ingest.add_argument("--commit", action="store_true")
        ingest.add_argument("--show", type=int, default=100, help="rejects printed (max)")

        sources = sub.add_parser("sources", help="run the registered sources")
        sources.add_argument("sources_action", choices=["run"])
        sources.add_argument("--all", action="store_true", help="every enabled source, due or not")

        # The CDO work (decision 0085): what the 15-minute and hourly jobs do, on demand.
        alerts = sub.add_parser("alerts", help="raise the alerts for failed runs, late sources")
        alerts.add_argument("alerts_action", choices=["check"])
        assets = sub.add_parser("assets", help="bring the data-asset registry up to date")
        assets.add_argument("assets_action", choices=["sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli(None, label="datahub")
        try:
            if options["action"] == "dataset":
                self._create(actor, options)
            elif options["action"] == "ingest":
                self._ingest(actor, options)
            elif options["action"] in ("alerts", "assets"):
                self._cdo(actor, options["action"])
            else:
                self._sources(actor, options)
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None

    def _cdo(self, actor: Actor, action: str) -> None:
        from hongmian.datahub.services.alerts import data_alerts_check
        from hongmian.datahub.services.assets import assets_sync

        if action == "alerts":
            sweep = data_alerts_check(actor=actor)
            payload: dict[str, Any] = {"raised": sweep.raised, "not_filed": sweep.not_filed}
        else:
            synced = assets_sync(actor=actor)
            payload = {"created": synced.created, "updated": synced.updated}
            payload["retired"] = synced.retired
        self.stdout.write(json.dumps(payload, ensure_ascii=False))

    def _create(self, actor: Actor, o: dict[str, Any]) -> None:
        path: Path = o["schema"]
        if not path.is_file():
            raise CommandError(f"datahub.bad_schema: {path} not found")
        meta = DatasetMeta(
            name=o["name"],
            summary=o["summary"],
            update_frequency=o["frequency"],
            format=o["format"],
            sharing_type=o["sharing"],
            sharing_conditions=o["conditions"],
            legal_basis=o["legal_basis"],
            open_type=o["open"],
            themes=o["theme"],
            keywords=o["keyword"],
            pipeline=o["pipeline"],
        )
        dataset = dataset_create(
            actor=actor,
            code=o["code"],
            provider=provider_find(o["provider"]),
            schema=path.read_bytes(),
            meta=meta,
            commit=o["commit"],
        )
        fields = len(dataset.schema["fields"])
        verb = "created" if o["commit"] else "would create (dry run; add --commit)"
        self.stdout.write(
            f"{verb} {dataset.code} {dataset.name}: {fields} fields, "
            f"provider {dataset.provider.code}"
        )

    def _ingest(self, actor: Actor, o: dict[str, Any]) -> None:
        dataset = Dataset.objects.select_related("provider").filter(code=o["dataset"]).first()
        if dataset is None:
            raise CommandError(f"datahub.unknown_dataset: {o['dataset']}")
        result = dataset_ingest(
            actor=actor, dataset=dataset, extract=FileConnector(o["file"]), commit=o["commit"]
        )
        self.stdout.write(
            json.dumps(result.report(shown=max(0, o["show"])), ensure_ascii=False, indent=1)
        )
        if result.run.outcome == RunOutcome.FAILED:
            raise CommandError(f"{result.run.error_code}: {result.run.error_message}")

    def _sources(self, actor: Actor, o: dict[str, Any]) -> None:
        query = DataSource.objects.filter(enabled=True).select_related("dataset")
        if not o["all"]:
            query = query.filter(
                every_minutes__gt=0, next_run_at__lte=timezone.now()
            ) | query.filter(every_minutes__gt=0, next_run_at__isnull=True)
        for result in sources_run(actor=actor, sources=list(query)):
            run = result.run
            self.stdout.write(
                f"{run.dataset.code} {run.origin}: {run.outcome} "
                f"{run.error_code or ''} read {run.rows_read} loaded {run.rows_loaded}"
            )
