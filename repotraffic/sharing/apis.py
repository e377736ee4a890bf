from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.fields import StrictCharField, StrictUUIDField
from repotraffic.common.validation import body_validate
from repotraffic.sharing.models import ShareLink
from repotraffic.sharing.selectors import share_link_list
from repotraffic.sharing.services import LABEL_MAX_LENGTH, share_link_create, share_link_revoke

SHARE_LINK_ID = OpenApiParameter(
    "share_link_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The id from create."
)


class ShareLinkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    repository_id = serializers.UUIDField(
        allow_null=True, help_text="The one repository shared; null: all of yours."
    )
    # The stubs take a field named "label" for Field.label; DRF pops declared fields.
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was revoked; null while it works."
    )


def share_page_url(request, *, key: str, share_link: ShareLink) -> str:
    """The absolute URL of the page the link opens."""
    if share_link.repository_id is None:
        path = reverse("dashboard:shared-repositories", args=[key])
    else:
        path = reverse("dashboard:shared-repository", args=[key, share_link.repository_id])
    return request.build_absolute_uri(path)


class ShareLinkCreateApi(APIView):
    @extend_schema_serializer(component_name="ShareLinkCreate")
    class InputSerializer(serializers.Serializer):
        repository_id = StrictUUIDField(
            required=False,
            allow_null=True,
            help_text="Share this repository only; leave out to share all of yours.",
        )
        label = StrictCharField(  # type: ignore[assignment]  # as in ShareLinkSerializer
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            help_text=f"A note for you, at most {LABEL_MAX_LENGTH} characters.",
        )

    @extend_schema_serializer(component_name="ShareLinkCreated")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        key = serializers.CharField(help_text="Shown once; only the link's pages take it.")
        url = serializers.CharField(help_text="The read-only page to hand out.")
        repository_id = serializers.UUIDField(allow_null=True)
        label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="share_links_create",
        request={"application/json": InputSerializer},
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404, 405, 413)},
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        created = share_link_create(
            user=request.user,
            repository_id=data.get("repository_id"),
            label=data.get("label", ""),
        )
        share_link = created.share_link
        return Response(
            self.OutputSerializer(
                {
                    "id": share_link.id,
                    "key": created.key,
                    "url": share_page_url(request, key=created.key, share_link=share_link),
                    "repository_id": share_link.repository_id,
                    "label": share_link.label,
                    "created_at": share_link.created_at,
                }
            ).data
        )


class ShareLinkListApi(APIView):
    @extend_schema(
        operation_id="share_links_list",
        responses={200: ShareLinkSerializer(many=True), **error_responses(401, 405)},
    )
    def get(self, request):
        return Response(ShareLinkSerializer(share_link_list(user=request.user), many=True).data)


class ShareLinkRevokeApi(APIView):
    @extend_schema(
        operation_id="share_links_revoke",
        parameters=[SHARE_LINK_ID],
        request=None,
        responses={200: ShareLinkSerializer, **error_responses(401, 404, 405)},
    )
    def post(self, request, share_link_id: str):
        share_link = share_link_revoke(user=request.user, share_link_id=share_link_id)
        return Response(ShareLinkSerializer(share_link).data)
