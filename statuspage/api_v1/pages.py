"""The page: Noroshi runs one, so the list holds it alone; read it, change the fields Noroshi
has (name, address, time zone, support link)."""

from rest_framework.request import Request
from rest_framework.response import Response

from incidents import services
from incidents.representations import page_context
from statuspage.api_v1.base import ManagementView
from statuspage.api_v1.objects import management_page
from statuspage.api_v1.serializers import PageRequest, validated

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

    def get(self, request: Request) -> Response:
        return Response([page_response()])


class PageDetail(ManagementView):
    required_permissions = PAGE_PERMISSIONS

    def get(self, request: Request, page_id: str) -> Response:
        return Response(page_response())

    def patch(self, request: Request, page_id: str) -> Response:
        fields = validated(PageRequest, request.data, partial=True).get("page", {})

        def change() -> Response:
            services.edit_page_settings(actor=request.user, **fields)
            return Response(page_response())

        return self.write(request, change)

    put = patch
