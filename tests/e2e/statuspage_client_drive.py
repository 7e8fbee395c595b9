"""Drive Noroshi's management API with Atlassian's own generated Statuspage client, the PyPI
package atlassian-statuspage (swagger-codegen, from Statuspage's OpenAPI document), changing
nothing but its base URL: the acceptance of issue 12.

Run by the client's own interpreter (var/statuspage-client/bin/python, `make
statuspage-client`), never the project's: it imports the client and the standard library only.

    statuspage_client_drive.py BASE_URL PAGE_ID API_KEY

It reads the page, lists and creates components, sets one's status, declares an incident,
moves it through identified and monitoring to resolved, schedules a maintenance and lists the
unresolved and upcoming ones. Every answer is deserialized into the client's models (whose
setters check enums); each response is also compared with the model it should fill, and the
fields the model has that the response lacks, or holds with another JSON type, are listed under
"schema". Prints a JSON summary on stdout; on the first failure prints the step and the
client's error on stderr and exits 1.
"""

import json
import sys
from datetime import UTC, datetime, timedelta

import atlassian_statuspage as sp

# The JSON types a swagger type may arrive as (None is always allowed: every field is nullable).
JSON_TYPES = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (str,),
    "date": (str,),
    "object": (dict,),
}


class Drive:
    def __init__(self, base_url: str, page_id: str, api_key: str):
        configuration = sp.Configuration()
        configuration.host = base_url.rstrip("/") + "/api/v1"
        configuration.api_key["Authorization"] = api_key
        configuration.api_key_prefix["Authorization"] = "OAuth"
        self.client = sp.ApiClient(configuration)
        self.page_id = page_id
        self.pages = sp.PagesApi(self.client)
        self.components = sp.ComponentsApi(self.client)
        self.incidents = sp.IncidentsApi(self.client)
        self.schema: dict[str, dict[str, list[str]]] = {}
        self.step = "start"

    def call(self, step: str, method, *args, response_type: str):
        """`method(*args)`, remembered as `step`; the raw JSON is checked against the model."""
        self.step = step
        result = method(*args)
        raw = json.loads(self.client.last_response.data or b"null")
        self.compare(raw, response_type)
        return result

    def compare(self, raw, swagger_type: str) -> None:
        if raw is None:
            return
        if swagger_type.startswith("list["):
            for item in raw if isinstance(raw, list) else []:
                self.compare(item, swagger_type[5:-1])
            return
        model = getattr(sp.models, swagger_type, None)
        if model is None or not isinstance(raw, dict):
            return
        gaps = self.schema.setdefault(swagger_type, {"missing": [], "types": []})
        for attribute, field_type in model.swagger_types.items():
            key = model.attribute_map[attribute]
            if key not in raw:
                add_once(gaps["missing"], key)
                continue
            value = raw[key]
            if value is None:
                continue
            nested = field_type.startswith("list[") or field_type not in JSON_TYPES
            expected = JSON_TYPES.get(field_type) or (
                (list,) if field_type[:5] == "list[" else (dict,)
            )
            if not is_instance(value, expected):
                add_once(gaps["types"], f"{key}: {field_type}, got {type(value).__name__}")
            elif nested:
                self.compare(value, field_type)

    def run(self) -> dict:
        return {**self.page(), **self.component(), **self.incident(), **self.maintenance()}

    def page(self) -> dict:
        pages = self.call("list pages", self.pages.get_pages, response_type="list[Page]")
        page = self.call(
            "read the page", self.pages.get_pages_page_id, self.page_id, response_type="Page"
        )
        return {
            "pages": [p.id for p in pages],
            "page": {"id": page.id, "name": page.name, "time_zone": page.time_zone},
        }

    def component(self) -> dict:
        listed = self.call(
            "list components",
            self.components.get_pages_page_id_components,
            self.page_id,
            response_type="list[Component]",
        )
        body = sp.PostPagesPageIdComponents(
            component=sp.PostPagesPageIdComponentsComponent(
                name="Payments API", description="Card payments", status="operational"
            )
        )
        created = self.call(
            "create a component",
            self.components.post_pages_page_id_components,
            body,
            self.page_id,
            response_type="Component",
        )
        self.component_id = created.id
        patch = sp.PatchPagesPageIdComponents(
            component=sp.PostPagesPageIdComponentsComponent(status="partial_outage")
        )
        patched = self.call(
            "set the component's status",
            self.components.patch_pages_page_id_components_component_id,
            patch,
            self.page_id,
            created.id,
            response_type="Component",
        )
        read = self.call(
            "read the component",
            self.components.get_pages_page_id_components_component_id,
            self.page_id,
            created.id,
            response_type="Component",
        )
        return {
            "components_listed": [c.name for c in listed],
            "component": {
                "id": created.id,
                "name": created.name,
                "created_status": created.status,
                "patched_status": patched.status,
                "read_status": read.status,
            },
        }

    def post_incident(self, step: str, **fields):
        """An incident or maintenance made with `fields`, announced to nobody."""
        incident = sp.PostPagesPageIdIncidentsIncident(deliver_notifications=False, **fields)
        return self.call(
            step,
            self.incidents.post_pages_page_id_incidents,
            sp.PostPagesPageIdIncidents(incident=incident),
            self.page_id,
            response_type="Incident",
        )

    def incident(self) -> dict:
        created = self.post_incident(
            "create an incident",
            name="Payments failing",
            status="investigating",
            body="Card payments fail for some customers.",
            component_ids=[self.component_id],
            # The generated components model has one fixed property (an example id from
            # Statuspage's document): a plain dict is how {id: status} is sent.
            components={self.component_id: "major_outage"},
        )
        steps = [
            ("identified", "A faulty deploy of the card gateway.", "major_outage"),
            ("monitoring", "Rolled back; watching the error rate.", "degraded_performance"),
            ("resolved", "Payments work again.", "operational"),
        ]
        statuses = [created.status]
        for status, text, component_status in steps:
            updated = self.call(
                f"update the incident to {status}",
                self.incidents.patch_pages_page_id_incidents_incident_id,
                sp.PatchPagesPageIdIncidents(
                    incident=sp.PatchPagesPageIdIncidentsIncident(
                        status=status,
                        body=text,
                        components={self.component_id: component_status},
                        deliver_notifications=False,
                    )
                ),
                self.page_id,
                created.id,
                response_type="Incident",
            )
            statuses.append(updated.status)
        return {"incident": self.incident_read(created.id, statuses), **self.unresolved()}

    def incident_read(self, incident_id: str, statuses: list[str]) -> dict:
        read = self.call(
            "read the incident",
            self.incidents.get_pages_page_id_incidents_incident_id,
            self.page_id,
            incident_id,
            response_type="Incident",
        )
        return {
            "id": read.id,
            "statuses": statuses,
            "status": read.status,
            "impact": read.impact,
            "resolved": read.resolved_at is not None,
            "updates": [(u.status, u.body) for u in read.incident_updates],
            "components": {c.id: c.status for c in read.components},
            "listed": self.ids("list incidents", self.incidents.get_pages_page_id_incidents),
        }

    def unresolved(self) -> dict:
        rows = self.incidents.get_pages_page_id_incidents_unresolved
        return {"unresolved": self.ids("list unresolved incidents", rows)}

    def ids(self, step: str, method) -> list[str]:
        """The ids in a list of incidents (`method(page_id)`)."""
        return [i.id for i in self.call(step, method, self.page_id, response_type="list[Incident]")]

    def maintenance(self) -> dict:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        scheduled = self.post_incident(
            "schedule a maintenance",
            name="Card gateway upgrade",
            status="scheduled",
            body="The card gateway moves to new servers.",
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=2),
            scheduled_remind_prior=True,
            scheduled_auto_in_progress=True,
            scheduled_auto_completed=True,
            auto_transition_to_maintenance_state=True,
            auto_transition_to_operational_state=True,
            component_ids=[self.component_id],
        )
        return {
            "maintenance": {
                "id": scheduled.id,
                "status": scheduled.status,
                "impact": scheduled.impact,
                "scheduled_for": scheduled.scheduled_for.isoformat(),
                "scheduled_until": scheduled.scheduled_until.isoformat(),
                "components": [c.id for c in scheduled.components],
            },
            "upcoming": self.ids(
                "list upcoming maintenance", self.incidents.get_pages_page_id_incidents_upcoming
            ),
        }


def add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def is_instance(value, types: tuple) -> bool:
    # JSON true is not a number, whatever Python says.
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    drive = Drive(*argv[1:])
    try:
        summary = drive.run()
    except Exception as error:  # the step and the client's own error, whatever it is
        print(f"{drive.step}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    summary["schema"] = {
        name: gaps
        for name, gaps in sorted(drive.schema.items())
        if gaps["missing"] or gaps["types"]
    }
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
