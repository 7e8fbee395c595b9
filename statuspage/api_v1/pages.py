"""The page: Noroshi runs one, so the list holds it alone; read it, change the fields Noroshi
has (name, address, time zone, support link) and its own settings (the update reminder interval,
the brand colours, header and footer links, the logo: page_requests)."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.representations import page_context
from statuspage.api_v1 import examples, page_examples
from statuspage.api_v1.base import ManagementView, twin
from statuspage.api_v1.objects import management_page
from statuspage.api_v1.page_requests import PageRequest, change_page
from statuspage.api_v1.schema import IDEMPOTENCY_KEY, READ_ERRORS, WRITE_ERRORS, PageObject
from statuspage.api_v1.serializers import changes_of, validated

PAGE_PERMISSIONS = {
    "GET": "incidents.view_pagesettings",
    "PATCH": "incidents.change_pagesettings",
    "PUT": "incidents.change_pagesettings",
}


def page_response() -> dict:
    ctx = page_context()
    return management_page(ctx, ctx.page)


class PageList(ManagementView):
    required_permissions = {"GET": "incidents.view_pagesettings"}

    @extend_schema(
        tags=["pages"],
        summary="List pages (Noroshi runs one)",
        responses={200: PageObject(many=True), **READ_ERRORS},
        examples=[examples.response("Pages", [page_examples.PAGE])],
    )
    def get(self, request: Request) -> Response:
        return Response([page_response()])


class PageDetail(ManagementView):
    required_permissions = PAGE_PERMISSIONS

    @extend_schema(
        tags=["pages"],
        summary="Get the page",
        responses={200: PageObject, **READ_ERRORS},
        examples=[examples.response("Page", page_examples.PAGE)],
    )
    def get(self, request: Request, page_id: str) -> Response:
        return Response(page_response())

    @extend_schema(
        tags=["pages"],
        summary="Update the page's settings and branding",
        description=(
            "Statuspage's name, url, time_zone and support_url, and Noroshi's own settings: "
            "the update reminder interval, the brand colours (checked for WCAG AA contrast), "
            "the header and footer links (http(s) only) and the logo (an SVG or PNG as "
            "base64, sanitised as an upload in the console is). Owner only; every change is "
            "audited, and a request with any bad field changes nothing."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=changes_of(PageRequest),
        responses={200: PageObject, **WRITE_ERRORS},
        examples=[
            page_examples.EDIT_PAGE,
            page_examples.EDIT_BRANDING,
            examples.response("Page", page_examples.PAGE),
        ],
    )
    def patch(self, request: Request, page_id: str) -> Response:
        fields = validated(PageRequest, request.data, partial=True).get("page", {})

        def change() -> Response:
            change_page(actor=request.user, fields=fields)
            return Response(page_response())

        return self.write(request, change)

    put = twin(patch, summary="Update the page (as PATCH)", tags=["pages"])
