"""Framework services: drafts copy the published version, the diff sorts changes into what needs reassessment
and what carries over, publishing carries sign-offs (read through portfolio.status) and moves requirements,
published versions never change, and levels, adoption and requirements are guarded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cultivate.accounts import testing as t
from cultivate.core.audit import AuditContext
from cultivate.core.models import AuditEvent
from cultivate.frameworks import reference, selectors, services
from cultivate.frameworks.audit_actions import FrameworksAction
from cultivate.frameworks.models import (
    Adoption,
    Association,
    AssociationType,
    Competence,
    FrameworkVersion,
    NodeType,
    RoleRequirement,
    VersionStatus,
)
from cultivate.portfolio import status
from cultivate.portfolio.models import DelegationProtocol, ProtocolRequirement

from .framework_factories import (
    build_framework,
    care_certificate_item,
    items_of,
    make_assessment,
    make_role,
    published_row,
)

# Changes made outside a request name a job: the audit log refuses a change nobody answers for.
TEST_JOB = AuditContext.system("test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return t.make_organisation("RAA", alliance=t.make_alliance())


@pytest.fixture
def built(org):
    return build_framework(org)


def test_framework_create_starts_an_empty_draft_and_is_audited(org):
    framework = services.framework_create(ctx=TEST_JOB, title="  Ward skills ", owner=org)
    assert framework.title == "Ward skills"
    assert framework.owner_organisation == org and framework.owner_alliance is None
    version = framework.versions.get()
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert AuditEvent.objects.filter(
        action=FrameworksAction.FRAMEWORK_CREATED, object_id=str(framework.pk)
    ).exists()


def test_items_get_child_associations_and_sequences(org):
    framework = services.framework_create(ctx=TEST_JOB, title="F", owner=org)
    version = framework.versions.get()
    domain = services.domain_create(ctx=TEST_JOB, version=version, title="Domain")
    first = services.competence_create(ctx=TEST_JOB, version=version, parent=domain, title="First")
    second = services.competence_create(ctx=TEST_JOB, version=version, parent=domain, title="Second")
    assert (first.sequence, second.sequence) == (1, 2)
    links = {
        a.origin_id: a for a in Association.objects.filter(version=version, association_type="isChildOf")
    }
    assert links[domain.pk].destination_is_document and links[domain.pk].destination is None
    assert links[second.pk].destination_id == domain.pk and links[second.pk].sequence_number == 2


def test_item_validation(org):
    framework = services.framework_create(ctx=TEST_JOB, title="F", owner=org)
    version = framework.versions.get()
    services.competence_create(ctx=TEST_JOB, version=version, title="One", code="X1")
    with pytest.raises(ValidationError) as error:
        services.competence_create(ctx=TEST_JOB, version=version, title="Two", code="x1")
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.competence_create(ctx=TEST_JOB, version=version, title="Two", levels=["expert"])
    assert "levels" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.competence_create(ctx=TEST_JOB, version=version, title="")
    assert "title" in error.value.message_dict
    competence = Competence.objects.get(version=version, code="X1")
    with pytest.raises(ValidationError) as error:
        services.competence_create(
            ctx=TEST_JOB, version=version, title="Under a competence", parent=competence
        )
    assert "parent" in error.value.message_dict


def test_draft_copies_items_hierarchy_and_crosswalks(built):
    published = built.version
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    old, new = items_of(published), items_of(draft)
    assert set(old) == set(new)
    for code, item in old.items():
        copy = new[code]
        assert copy.pk != item.pk
        assert copy.identifier == item.identifier
        assert copy.content_hash == item.content_hash
        assert (copy.parent.identifier if copy.parent else None) == (
            item.parent.identifier if item.parent else None
        )
        assert copy.parent is None or copy.parent.version_id == draft.pk
    crosswalk = Association.objects.get(version=draft, association_type=AssociationType.EXACT_MATCH_OF)
    assert crosswalk.origin_id == new["MH1"].pk
    assert crosswalk.destination == care_certificate_item(6)
    original = Association.objects.get(version=published, association_type=AssociationType.EXACT_MATCH_OF)
    assert crosswalk.identifier == original.identifier
    assert Association.objects.filter(version=draft, association_type="isChildOf").count() == len(new)
    # One draft at a time.
    with pytest.raises(ValidationError):
        services.version_draft_create(ctx=TEST_JOB, framework=built.framework)


def test_diff_sorts_changes(built):
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    items = items_of(draft)
    services.competence_update(
        ctx=TEST_JOB,
        competence=items["MH1"],
        title="Communicates clearly, checking understanding",
        code="MH1",
        kind="skill",
        assessed_in_practice=True,
        evidence_kinds=["observation"],
    )
    services.competence_update(
        ctx=TEST_JOB,
        competence=items["MH2"],
        title=items["MH2"].title,
        code="MH2a",
        kind="skill",
        assessed_in_practice=True,
        evidence_kinds=["observation", "witness"],
    )
    services.competence_move(ctx=TEST_JOB, competence=items["MH3"], parent=items["D2"])
    services.competence_delete(ctx=TEST_JOB, competence=items["MH4"])
    services.competence_create(
        ctx=TEST_JOB, version=draft, parent=items["D1"], title="Supports meaningful activity", code="MH5"
    )
    diff = selectors.version_diff(built.version, draft)
    assert [c.code for c in diff.added] == ["MH5"]
    assert [c.code for c in diff.removed] == ["MH4"]
    assert [c.code for c in diff.changed] == ["MH1"]
    assert "statement" in diff.changed[0].changes
    moved = {c.code: c.changes for c in diff.moved}
    assert set(moved) == {"MH2a", "MH3"}
    assert "code" in moved["MH2a"] and "evidence kinds" in moved["MH2a"]
    assert moved["MH3"] == ("moved to another domain",)
    # Inserting or deleting a neighbour does not count as moving the others.
    assert not any(c.code == "D2" for c in diff.moved)


def test_reorder_shows_as_moved_not_changed(built):
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    items = items_of(draft)
    services.competence_shift(ctx=TEST_JOB, competence=items["MH3"], offset=-1)
    diff = selectors.version_diff(built.version, draft)
    assert not diff.changed and not diff.added and not diff.removed
    assert {c.code for c in diff.moved} == {"MH2", "MH3"}
    siblings = list(
        Competence.objects.filter(parent=items["D1"]).order_by("sequence").values_list("code", flat=True)
    )
    assert siblings == ["MH1", "MH3", "MH2"]
    link = Association.objects.get(origin=items["MH3"], association_type="isChildOf")
    assert link.sequence_number == 2


def test_publish_carries_unchanged_sign_offs_and_asks_reassessment_for_changed(org, built):
    team = t.make_team(org)
    person = t.make_person(org, team=team)
    unchanged, changed = published_row(built.framework, "MH2"), published_row(built.framework, "MH1")
    make_assessment(person, unchanged)
    make_assessment(person, changed)
    before = status.statuses([person.pk], [unchanged, changed])
    assert before[(person.pk, unchanged.pk)].state == status.State.ACHIEVED
    assert before[(person.pk, changed.pk)].state == status.State.ACHIEVED

    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    items = items_of(draft)
    services.competence_update(
        ctx=TEST_JOB,
        competence=items["MH1"],
        title="A new statement",
        code="MH1",
        kind="skill",
        assessed_in_practice=True,
        evidence_kinds=["observation"],
    )
    preview = selectors.version_publish_preview(version=draft)
    assert (preview.carried_over, preview.reassess, preview.no_longer_counted) == (1, 1, 0)
    assert preview.reassess_by_item == {items["MH1"].identifier: 1}

    services.version_publish(ctx=TEST_JOB, version=draft)
    draft.refresh_from_db()
    built.version.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and built.version.status == VersionStatus.RETIRED
    assert built.version.retired_at is not None
    summary = draft.change_summary
    assert summary["previous_version"] == 1
    assert summary["counts"] == {"added": 0, "removed": 0, "changed": 1, "moved": 0}
    assert summary["sign_offs"]["carried_over"] == 1 and summary["sign_offs"]["reassess"] == 1

    new_rows = items_of(draft)
    after = status.statuses([person.pk], [new_rows["MH2"], new_rows["MH1"]])
    assert after[(person.pk, new_rows["MH2"].pk)].state == status.State.ACHIEVED
    assert after[(person.pk, new_rows["MH1"].pk)].state == status.State.REASSESS
    # Read through an old row, the same answer: status follows the published row by identifier.
    assert status.statuses([person.pk], [changed])[(person.pk, changed.pk)].state == status.State.REASSESS
    assert AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_PUBLISHED).count() == 2


def test_publish_moves_requirements_and_reports_removed_ones(org, built):
    role = make_role()
    keep = services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=org,
        role=role,
        competence=published_row(built.framework, "MH2"),
        min_level="supervised",
    )
    gone = services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=org,
        role=role,
        competence=published_row(built.framework, "MH4"),
        min_level="supervised",
        within_days=84,
    )
    protocol = DelegationProtocol.objects.create(
        organisation=org, code="cbg", activity="Blood glucose", delegating_role="Nurse"
    )
    protocol_requirement = ProtocolRequirement.objects.create(
        protocol=protocol, competence=published_row(built.framework, "MH2"), min_level="independent"
    )
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    services.competence_delete(ctx=TEST_JOB, competence=items_of(draft)["MH4"])
    preview = selectors.version_publish_preview(version=draft)
    assert preview.requirements_moving == 1 and [r.pk for r in preview.requirements_orphaned] == [gone.pk]
    assert preview.protocol_requirements_moving == 1

    services.version_publish(ctx=TEST_JOB, version=draft)
    keep.refresh_from_db()
    gone.refresh_from_db()
    protocol_requirement.refresh_from_db()
    assert keep.competence.version_id == draft.pk and keep.competence.code == "MH2"
    assert protocol_requirement.competence.version_id == draft.pk
    assert gone.competence.version_id == built.version.pk
    draft.refresh_from_db()
    removed = draft.change_summary["requirements"]["competence_removed"]
    assert [r["id"] for r in removed] == [gone.pk] and removed[0]["code"] == "MH4"
    assert draft.change_summary["requirements"]["moved"] == 1


@pytest.mark.parametrize("state", [VersionStatus.PUBLISHED, VersionStatus.RETIRED])
def test_published_and_retired_versions_never_change(built, state):
    version = built.version
    if state == VersionStatus.RETIRED:
        services.version_retire(ctx=TEST_JOB, version=version)
    version.refresh_from_db()
    items = items_of(version)
    snapshot = sorted(
        Competence.objects.filter(version=version).values_list("pk", "title", "sequence", "parent_id")
    )
    links = Association.objects.filter(version=version).count()
    attempts = [
        lambda: services.competence_create(ctx=TEST_JOB, version=version, title="New"),
        lambda: services.domain_create(ctx=TEST_JOB, version=version, title="New domain"),
        lambda: services.competence_update(ctx=TEST_JOB, competence=items["MH1"], title="Changed"),
        lambda: services.competence_move(ctx=TEST_JOB, competence=items["MH3"], parent=items["D2"]),
        lambda: services.competence_shift(ctx=TEST_JOB, competence=items["MH2"], offset=-1),
        lambda: services.competence_delete(ctx=TEST_JOB, competence=items["MH4"]),
        lambda: services.crosswalk_add(
            ctx=TEST_JOB, origin=items["MH2"], destination=care_certificate_item(3)
        ),
        lambda: services.crosswalk_remove(
            ctx=TEST_JOB,
            association=Association.objects.get(version=version, association_type="exactMatchOf"),
        ),
        lambda: services.version_draft_delete(ctx=TEST_JOB, version=version),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert (
        sorted(Competence.objects.filter(version=version).values_list("pk", "title", "sequence", "parent_id"))
        == snapshot
    )
    assert Association.objects.filter(version=version).count() == links
    with pytest.raises(ValidationError):
        services.version_publish(ctx=TEST_JOB, version=version)


def test_retire_leaves_no_published_version(built):
    services.version_retire(ctx=TEST_JOB, version=built.version)
    assert not FrameworkVersion.objects.filter(
        framework=built.framework, status=VersionStatus.PUBLISHED
    ).exists()
    with pytest.raises(ValidationError):
        services.version_retire(ctx=TEST_JOB, version=FrameworkVersion.objects.get(pk=built.version.pk))
    assert AuditEvent.objects.filter(action=FrameworksAction.FRAMEWORK_RETIRED).exists()


def test_publish_needs_a_competence(org):
    framework = services.framework_create(ctx=TEST_JOB, title="Empty", owner=org)
    with pytest.raises(ValidationError):
        services.version_publish(ctx=TEST_JOB, version=framework.versions.get())


def test_delete_domain_removes_its_contents_and_resequences(built):
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    items = items_of(draft)
    assert services.competence_delete(ctx=TEST_JOB, competence=items["D1"]) == 4
    remaining = items_of(draft)
    assert set(remaining) == {"D2", "MH4"}
    assert remaining["D2"].sequence == 1


def test_move_refuses_cycles(org):
    framework = services.framework_create(ctx=TEST_JOB, title="F", owner=org)
    version = framework.versions.get()
    outer = services.domain_create(ctx=TEST_JOB, version=version, title="Outer")
    inner = services.domain_create(ctx=TEST_JOB, version=version, title="Inner", parent=outer)
    with pytest.raises(ValidationError):
        services.competence_move(ctx=TEST_JOB, competence=outer, parent=inner)
    moved = services.competence_move(ctx=TEST_JOB, competence=inner, parent=None, position=1)
    assert moved.parent is None and moved.sequence == 1
    outer.refresh_from_db()
    assert outer.sequence == 2


def test_discard_draft(built):
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    services.version_draft_delete(ctx=TEST_JOB, version=draft)
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert Competence.objects.filter(version=built.version).count() == 6


def test_crosswalk_rules(org, built):
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    items = items_of(draft)
    with pytest.raises(ValidationError):  # already mapped (copied from the published version)
        services.crosswalk_add(ctx=TEST_JOB, origin=items["MH1"], destination=care_certificate_item(6))
    with pytest.raises(ValidationError):  # same framework
        services.crosswalk_add(
            ctx=TEST_JOB, origin=items["MH1"], destination=published_row(built.framework, "MH2")
        )
    with pytest.raises(ValidationError):
        services.crosswalk_add(
            ctx=TEST_JOB,
            origin=items["MH1"],
            destination=care_certificate_item(7),
            association_type=AssociationType.PRECEDES,
        )
    link = services.crosswalk_add(
        ctx=TEST_JOB,
        origin=items["MH2"],
        destination=care_certificate_item(14),
        association_type=AssociationType.IS_RELATED_TO,
    )
    assert link.version_id == draft.pk
    diff = selectors.version_diff(built.version, draft)
    assert diff.crosswalks_added == 1
    services.crosswalk_remove(ctx=TEST_JOB, association=link)
    child = Association.objects.filter(version=draft, association_type="isChildOf")[0]
    with pytest.raises(ValidationError):
        services.crosswalk_remove(ctx=TEST_JOB, association=child)


def test_levels_guarded(org, built):
    framework = built.framework
    services.framework_levels_set(
        ctx=TEST_JOB,
        framework=framework,
        levels=[
            {"code": "observed", "label": "Observed"},
            {"code": "supervised", "label": "With supervision"},
            {"code": "independent", "label": "Independent"},
        ],
    )
    framework.refresh_from_db()
    assert framework.level_label("supervised") == "With supervision"
    role = make_role()
    services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=org,
        role=role,
        competence=published_row(framework, "MH2"),
        min_level="observed",
    )
    with pytest.raises(ValidationError) as error:
        services.framework_levels_set(
            ctx=TEST_JOB,
            framework=framework,
            levels=[{"code": "supervised", "label": "S"}, {"code": "independent", "label": "I"}],
        )
    assert "role requirement" in str(error.value)
    make_assessment(t.make_person(org), published_row(framework, "MH1"))
    with pytest.raises(ValidationError):  # reordering once sign-offs exist
        services.framework_levels_set(
            ctx=TEST_JOB,
            framework=framework,
            levels=[
                {"code": "observed", "label": "O"},
                {"code": "independent", "label": "I"},
                {"code": "supervised", "label": "S"},
            ],
        )
    services.framework_levels_set(
        ctx=TEST_JOB,
        framework=framework,
        levels=[*framework.level_list, {"code": "expert", "label": "Can teach others"}],
    )
    framework.refresh_from_db()
    assert framework.level_rank("expert") == 4
    with pytest.raises(ValidationError):
        services.framework_levels_set(
            ctx=TEST_JOB, framework=framework, levels=[{"code": "Bad Code", "label": "x"}]
        )


def test_adoption_rules(org, built):
    care_certificate = care_certificate_item(1).framework
    adoption = services.adoption_create(ctx=TEST_JOB, framework=care_certificate, organisation=org)
    assert adoption.pk
    with pytest.raises(ValidationError):
        services.adoption_create(ctx=TEST_JOB, framework=care_certificate, organisation=org)
    other = t.make_organisation("RBB", alliance=t.make_alliance())
    alliance_fw = build_framework(org.alliance, title="Alliance framework")
    with pytest.raises(ValidationError):  # another alliance's framework
        services.adoption_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=other)
    with pytest.raises(ValidationError):  # an organisation's own framework is not adopted
        services.adoption_create(ctx=TEST_JOB, framework=built.framework, organisation=other)
    services.adoption_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=org)
    role = make_role()
    services.role_requirement_create(
        ctx=TEST_JOB, organisation=org, role=role, competence=care_certificate_item(1), min_level="met"
    )
    with pytest.raises(ValidationError):
        services.adoption_remove(ctx=TEST_JOB, adoption=adoption)
    RoleRequirement.objects.filter(organisation=org, competence__framework=care_certificate).delete()
    services.adoption_remove(ctx=TEST_JOB, adoption=adoption)
    assert not Adoption.objects.filter(pk=adoption.pk).exists()


def test_requirements_need_an_owned_or_adopted_published_framework(org, built):
    role = make_role()
    other_org = t.make_organisation("RBB")
    with pytest.raises(ValidationError) as error:
        services.role_requirement_create(
            ctx=TEST_JOB,
            organisation=other_org,
            role=role,
            competence=published_row(built.framework, "MH1"),
            min_level="supervised",
        )
    assert "competence" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.role_requirement_create(
            ctx=TEST_JOB, organisation=org, role=role, competence=care_certificate_item(2), min_level="met"
        )
    assert "adopt" in str(error.value)
    services.adoption_create(ctx=TEST_JOB, framework=care_certificate_item(2).framework, organisation=org)
    with pytest.raises(ValidationError) as error:
        services.role_requirement_create(
            ctx=TEST_JOB,
            organisation=org,
            role=role,
            competence=care_certificate_item(2),
            min_level="independent",
        )
    assert "min_level" in error.value.message_dict
    requirement = services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=org,
        role=role,
        competence=care_certificate_item(2),
        min_level="met",
        within_days=84,
    )
    with pytest.raises(ValidationError) as error:
        services.role_requirement_create(
            ctx=TEST_JOB, organisation=org, role=role, competence=care_certificate_item(2), min_level="met"
        )
    assert "competence" in error.value.message_dict
    draft = services.version_draft_create(ctx=TEST_JOB, framework=built.framework)
    with pytest.raises(ValidationError):
        services.role_requirement_create(
            ctx=TEST_JOB,
            organisation=org,
            role=role,
            competence=items_of(draft)["MH1"],
            min_level="supervised",
        )
    services.role_requirement_update(ctx=TEST_JOB, requirement=requirement, min_level="met", within_days=90)
    requirement.refresh_from_db()
    assert requirement.within_days == 90
    services.role_requirement_delete(ctx=TEST_JOB, requirement=requirement)
    assert (
        AuditEvent.objects.filter(action=FrameworksAction.REQUIREMENT_CHANGED, organisation=org).count() == 3
    )


def test_add_all_competences_of_a_domain(org, built):
    role = make_role()
    domain = published_row(built.framework, "D1")
    services.role_requirement_create(
        ctx=TEST_JOB,
        organisation=org,
        role=role,
        competence=published_row(built.framework, "MH2"),
        min_level="supervised",
    )
    result = services.role_requirements_add_domain(
        ctx=TEST_JOB, organisation=org, role=role, domain=domain, min_level="independent", within_days=84
    )
    assert sorted(r.competence.code for r in result.added) == ["MH1", "MH3"]
    assert result.already_required == 1
    assert RoleRequirement.objects.filter(organisation=org, role=role).count() == 3
    with pytest.raises(ValidationError):
        services.role_requirements_add_domain(
            ctx=TEST_JOB,
            organisation=org,
            role=role,
            domain=published_row(built.framework, "MH1"),
            min_level="independent",
        )


def test_extension_adds_local_competences_without_forking(org):
    alliance_fw = build_framework(org.alliance, title="Shared")
    extension = services.extension_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=org)
    assert extension.extends == alliance_fw.framework and extension.owner_organisation == org
    assert extension.levels == alliance_fw.framework.levels
    version = extension.versions.get()
    local = services.competence_create(
        ctx=TEST_JOB, version=version, title="Uses the trust's electronic record", code="RAA1"
    )
    services.crosswalk_add(
        ctx=TEST_JOB, origin=local, destination=published_row(alliance_fw.framework, "MH2")
    )
    services.version_publish(ctx=TEST_JOB, version=version)
    with pytest.raises(ValidationError):
        services.extension_create(ctx=TEST_JOB, framework=alliance_fw.framework, organisation=org)
    with pytest.raises(ValidationError):
        services.extension_create(ctx=TEST_JOB, framework=extension, organisation=org)
    assert (
        Competence.objects.filter(framework=alliance_fw.framework, version__status="published").count() == 6
    )


def test_reference_frameworks_loaded():
    care_certificate = Competence.objects.filter(
        framework__identifier=reference.CARE_CERTIFICATE, version__status=VersionStatus.PUBLISHED
    ).order_by("sequence")
    assert [c.code for c in care_certificate] == [f"CC{n}" for n in range(1, 17)]
    assert care_certificate[2].identifier == reference.item_identifier(reference.CARE_CERTIFICATE_KEY, 3)
    assert care_certificate[2].title == "Duty of care"
    code_of_conduct = Competence.objects.filter(
        framework__identifier=reference.CODE_OF_CONDUCT, version__status=VersionStatus.PUBLISHED
    )
    assert sorted(c.code for c in code_of_conduct) == sorted(f"CoC{n}" for n in range(1, 8))
    for framework_items in (care_certificate, code_of_conduct):
        framework = framework_items[0].framework
        assert framework.is_reference and framework.source == "reference"
        assert framework.owner_alliance is None and framework.owner_organisation is None
        assert framework.versions.count() == 1
        for item in framework_items:
            assert item.node_type == NodeType.COMPETENCE
            assert item.content_hash == item.compute_content_hash()
            link = Association.objects.get(origin=item, association_type="isChildOf")
            assert link.destination_is_document and link.destination is None
    # The file rows and the database agree with the shared facts (16 standards, 7 themes).
    assert len(reference.reference_items("care_certificate_2025.csv")) == 16
    assert len(reference.reference_items("code_of_conduct.csv")) == 7


def test_require_the_whole_care_certificate_within_84_days(org):
    care_certificate = care_certificate_item(1).framework
    services.adoption_create(ctx=TEST_JOB, framework=care_certificate, organisation=org)
    role = make_role()
    result = services.role_requirements_add_framework(
        ctx=TEST_JOB, organisation=org, role=role, framework=care_certificate, min_level="met", within_days=84
    )
    assert len(result.added) == 16 and result.already_required == 0
    assert {r.within_days for r in result.added} == {84}
    again = services.role_requirements_add_framework(
        ctx=TEST_JOB, organisation=org, role=role, framework=care_certificate, min_level="met", within_days=84
    )
    assert (len(again.added), again.already_required) == (0, 16)


def test_reference_install_is_idempotent():
    before = Competence.objects.filter(framework__is_reference=True).count()
    reference.install()
    assert Competence.objects.filter(framework__is_reference=True).count() == before == 23
    assert Association.objects.filter(version__framework__is_reference=True).count() == 23
