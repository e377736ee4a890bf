from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.fields import StrictBooleanField, StrictCharField
from repotraffic.common.throttles import RepositoryCreateAllowance, RepositoryImportThrottle
from repotraffic.common.validation import body_validate
from repotraffic.repositories.import_services import (
    CREATE_ALLOWANCE,
    LIMIT,
    NO_PUSH_ACCESS,
    repositories_import,
    tracked_owner_delete,
)
from repotraffic.repositories.models import TrackedOwner
from repotraffic.repositories.selectors import tracked_owner_list


class _OwnerOrAllSerializer(serializers.Serializer):
    owner = StrictCharField(
        required=False, help_text="A GitHub user or organization, e.g. HackSoftware."
    )
    all = StrictBooleanField(required=False, help_text="true: every owner, instead of one.")

    def validate(self, attrs):
        if "owner" in attrs and attrs.get("all"):
            raise serializers.ValidationError("Give either owner or all, not both.")
        if "owner" not in attrs and not attrs.get("all"):
            raise serializers.ValidationError(
                'Give an owner ({"owner": "acme"}) or every owner ({"all": true}).'
            )
        return attrs


class ImportedRepositorySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    owner = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField(help_text="When you started tracking it.")


class ImportRefusalSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    # Plain strings in the schema: the words may grow without a breaking enum change.
    cause = serializers.CharField(
        help_text=f"{NO_PUSH_ACCESS}: the token cannot push to it; {LIMIT}: "
        f"REPOTRAFFIC_MAX_REPOSITORIES_PER_USER; {CREATE_ALLOWANCE}: "
        "REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE.",
    )
    reason = serializers.CharField(help_text="Why, and what you can do about it.")


class CredentialListingSerializer(serializers.Serializer):
    credential = serializers.CharField(
        source="credential.kind",
        help_text="own: your GitHub token; server: the server's; installation: a GitHub "
        "App installation you connected.",
    )
    installation_id = serializers.IntegerField(
        source="credential.installation_id", allow_null=True, help_text="GitHub's number."
    )
    account = serializers.CharField(
        source="credential.account",
        allow_blank=True,
        help_text="The installation's user or organization; empty for a token.",
    )
    # The stubs take a field named "source" for Field.source; DRF pops declared fields.
    source = serializers.CharField(  # type: ignore[assignment]
        allow_blank=True,
        help_text="user: GET /user/repos; installation: GET /installation/repositories; "
        "empty when it listed nothing.",
    )
    pages_read = serializers.IntegerField()
    truncated = serializers.BooleanField(
        help_text="Its REPOTRAFFIC_IMPORT_PAGES pages (or the time) ran out first."
    )
    error = serializers.CharField(
        source="error_message",
        allow_blank=True,
        help_text="Why it listed nothing, and what to do (an installation removed or "
        "suspended, a token GitHub refuses); empty when it listed.",
    )


class TrackedOwnerSerializer(serializers.Serializer):
    owner = serializers.CharField(help_text='A GitHub user or organization; "*": every owner.')
    created_at = serializers.DateTimeField()
    created_after = serializers.DateTimeField(
        help_text="The next daily run adds the repositories created at GitHub after this."
    )
    last_run_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(
        allow_blank=True, help_text="What went wrong on the last run; empty if nothing."
    )


class RepositoryImportApi(APIView):
    # The import's own rate, and room in the create allowance (see post).
    throttle_classes = [RepositoryImportThrottle, RepositoryCreateAllowance]

    @extend_schema_serializer(component_name="RepositoryImport")
    class InputSerializer(_OwnerOrAllSerializer):
        auto_track = StrictBooleanField(
            required=False,
            default=False,
            help_text="true: the daily run also adds this owner's (or every owner's) "
            "repositories created from now on.",
        )

    @extend_schema_serializer(component_name="RepositoryImported")
    class OutputSerializer(serializers.Serializer):
        added = ImportedRepositorySerializer(many=True)
        already_tracked = ImportedRepositorySerializer(many=True)
        refused = ImportRefusalSerializer(many=True)
        truncated = serializers.BooleanField(
            help_text="A credential's list was longer than REPOTRAFFIC_IMPORT_PAGES pages "
            "(each credential has its own): the rest was not considered (note says what "
            "to do)."
        )
        pages_read = serializers.IntegerField(help_text="Pages read, over every credential.")
        note = serializers.CharField(
            allow_blank=True,
            help_text="What was not considered and why (a budget ran out, a credential "
            "could not list), in words; empty when nothing was left out.",
        )
        credential = serializers.CharField(
            help_text="Whose credentials listed them: own (your token), server (the "
            "server's), installation (GitHub App installations you connected) or mixed "
            "(your token and installations)."
        )
        # The stubs take a field named "source" for Field.source; DRF pops declared fields.
        source = serializers.CharField(  # type: ignore[assignment]
            help_text="Which lists: user (a user token's repositories), installation (a "
            "GitHub App installation's) or mixed (both).",
        )
        listings = CredentialListingSerializer(
            many=True,
            help_text="Each credential asked, in order, with what it read or why it "
            "listed nothing; the others' repositories are imported all the same.",
        )
        auto_track = TrackedOwnerSerializer(allow_null=True)

    @extend_schema(
        operation_id="repos_import",
        request={"application/json": InputSerializer},
        responses={
            200: OutputSerializer,
            201: OutputSerializer,
            **error_responses(400, 401, 403, 405, 413, 429, 503),
        },
        description="Tracks every repository of one owner, or of every owner, that your "
        "GitHub credentials can push to, as GitHub lists them. One owner is listed by the "
        "GitHub App installation you connected on its account, if any, else by your token "
        "(or the server's, where its operator allows); every owner by your token and each "
        "installation, merged. A credential that cannot list is in listings with what to "
        "do, and the others' repositories are still imported. 201 when it added some, "
        "else 200; each repository not added is in refused with the reason. Each "
        "repository added counts as one create against "
        "REPOTRAFFIC_THROTTLE_REPOSITORY_CREATE. auto_track: the daily run also adds the "
        "repositories created from now on.",
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        allowance = RepositoryCreateAllowance()
        outcome = repositories_import(
            user=request.user,
            owner=data.get("owner"),
            auto_track=data["auto_track"],
            added_max=allowance.left(request, self),
        )
        allowance.spend(request, self, count=len(outcome.added))
        body = {
            "added": outcome.added,
            "already_tracked": outcome.already_tracked,
            "refused": outcome.refused,
            "truncated": not outcome.complete,
            "pages_read": outcome.pages_read,
            "note": outcome.note,
            "credential": outcome.credential,
            "source": outcome.source,
            "listings": outcome.listings,
            "auto_track": outcome.tracked_owner,
        }
        return Response(self.OutputSerializer(body).data, status=201 if outcome.added else 200)


class TrackedOwnerListApi(APIView):
    @extend_schema(
        operation_id="repos_import_auto_track_list",
        responses={200: TrackedOwnerSerializer(many=True), **error_responses(401, 405)},
        description="The owners whose new repositories the daily run adds for you.",
    )
    def get(self, request):
        return Response(
            TrackedOwnerSerializer(tracked_owner_list(user=request.user), many=True).data
        )


class TrackedOwnerDeleteApi(APIView):
    @extend_schema_serializer(component_name="TrackedOwnerDelete")
    class InputSerializer(_OwnerOrAllSerializer):
        pass

    @extend_schema(
        operation_id="repos_import_auto_track_delete",
        request={"application/json": InputSerializer},
        responses={200: TrackedOwnerSerializer, **error_responses(400, 401, 404, 405, 413)},
        description="Stops auto-tracking an owner (or every owner: the entry made with "
        '{"all": true}); the repositories it added stay tracked.',
    )
    def post(self, request):
        data = body_validate(self.InputSerializer, request.data)
        tracked: TrackedOwner = tracked_owner_delete(user=request.user, owner=data.get("owner"))
        return Response(TrackedOwnerSerializer(tracked).data)
