#!/usr/bin/env bash
# The whole test suite: unit, golden and integration tests against a private
# dockerd and real registries, with the race detector. Under CI=true a test
# that cannot reach its engine or registry fails, and any skipped test fails
# the run, so integration tests can never pass by not running.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash testdata/scripts/install-deps.sh
export WHARF_REGISTRY_V3="$PWD/.tools/bin/registry"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The filter only trims what is shown; the full log decides. go test's own
# exit status is taken from the pipeline, not from the filter.
set +e
go test -race -count=1 -v ./... 2>&1 | tee "$log" | grep -E '^(\s*--- |ok |FAIL|PASS|panic:|\s+[a-z_]+\.go:[0-9]+:)'
codes=("${PIPESTATUS[@]}")
set -e
status=${codes[0]}

passed=$(grep -c -E '^\s*--- PASS' "$log" || true)
failed=$(grep -c -E '^\s*--- FAIL' "$log" || true)
skipped=$(grep -c -E '^\s*--- SKIP' "$log" || true)
if ((failed)) && ((status == 0)); then
  status=1
fi

if [[ "${CI:-}" == "true" ]]; then
  if ((skipped)); then
    echo "test: $skipped test(s) skipped under CI; every test must run here:" >&2
    grep -E -A2 '^\s*--- SKIP' "$log" >&2
    status=1
  fi
  # The integration tests that prove the environment is real must have run.
  for must in TestRegistryVariantsPushListPull/anonymous TestRegistryVariantsPushListPull/basic \
    TestRegistryVariantsPushListPull/tls TestRegistryVariantsPushListPull/token \
    TestRegistryVariantsPushListPull/v3 TestEngineFixtures TestTokenRegistryReadOnlyUserPushDenied \
    TestDoctorAgainstTestEnvironment TestDemoEndToEnd TestCleanupEndToEnd TestPrunePreviewEqualsPrune \
    TestPushAsReadOnlyUserIsDenied TestEngineStoppedThenReconnected TestLocalCLI \
    TestDeleteAndUndoEndToEnd TestRetagAndPushEndToEnd TestChangeCLI TestDeleteTagSparesItsSiblingsAndUndoRestoresIt/registry2 \
    TestDeleteTagSparesItsSiblingsAndUndoRestoresIt/v3 TestReadOnlyUserIsRefusedAndNothingChanges \
    TestDeleteOnARegistryWithDeletesDisabled TestCopyIndexBetweenRegistriesKeepsEveryPlatform \
    TestDistributionBehaviourSuite/registry2 TestDistributionBehaviourSuite/v3 \
    TestProbeVariants/registry2 TestProbeVariants/registry2-deletes-disabled TestProbeVariants/tls \
    TestProbeVariants/token-admin TestProbeVariants/token-reader TestProbeVariants/v3 TestProbeReferrersAndUnreachable \
    TestProbeIsCachedAndChoosesTheDeletePath TestStatusLocalVsRemote TestTagsFoldCosignTags TestPlatformsShowWhatTheyShare \
    TestPushIsJournaledAndUndone TestUndoWalksBackAndNeverForward/registry2 TestUndoWalksBackAndNeverForward/v3 \
    TestDeleteTagAtRefusesATagMovedSince TestRetentionOnARealisticRepository/anonymous TestRetentionOnARealisticRepository/v3 \
    TestRetentionPlan TestImagesOrderIsStableWhenTimesTie TestRemoveTwiceNamesTheRightImageEndToEnd \
    TestFaultMatrixChangesNothingButWhatWasAsked TestA404OnTheSiblingCheckDeletesNothing \
    TestFailedWritesAreReadBackAndJournaledAsTheyAre TestAProbeFaultDoesNotBreakDeletes \
    TestUndoFinishesADeleteCutOffAtThePlaceholder TestFiveProcessesDeleteSiblingsAtOnce \
    TestRetagRacingADeleteOfTheSameImage TestKilledMidDeleteIsReportedAndUndone TestKilledAtEveryRequestIsRecovered \
    TestRotationAmongWriters TestRateWaitsAreReported TestInvalidReferencesAreRefusedBeforeAnyRequest TestLocalCLI \
    TestPullByDigestEndToEnd TestArtifactsAreNamedForWhatTheyAre/anonymous TestArtifactsAreNamedForWhatTheyAre/v3 TestInspectNamesArtifacts \
    TestUnknownIsSaidAsUnknown TestAllListsIntermediatesAsDockerDoes TestGCAdviceOnlyForDistribution TestTagAndDigestSayWhereTheTagIs \
    TestInspectIsWhatTheEngineKnows TestCompareALocalImageWithTheRegistrys TestInspectLocalImages \
    TestMaxAgeTakesYoungDigestsFromTheCache TestOneClientPingsARegistryOnce/anonymous TestOneClientPingsARegistryOnce/basic \
    TestDetailsOfflineAreWhatWasReadBefore TestClientCache TestPodmanLoginIsUsed TestPodmanAsTheEngine \
    TestBulkDeleteSparesSiblingsAndOneUndoRestoresAll/anonymous TestBulkDeleteSparesSiblingsAndOneUndoRestoresAll/v3 \
    TestDeleteARepositoryAndPutItBack/anonymous TestDeleteARepositoryAndPutItBack/v3 TestDeleteARepositoryAndPutItBack/deletes_disabled TestDeleteRepositoryActsOnWhatWasShown TestCopyTagsIsOneBatch TestRegistryAddEditRemove TestOfflineReadsTheCache TestOfflineEndToEnd TestMoveBetweenTheSidesEndToEnd TestFilesAndWasteAgreeWithDive TestDiffFilesBetweenTwoTags TestLocalFilesAndWasteAgreeWithDive TestPackagesFromFilesThenSBOM/anonymous TestPackagesFromFilesThenSBOM/v3 TestVulnsFromAttachedReports TestInsideTheImageEndToEnd TestPackagesFromBuildKitAttestations \
    TestWritesFailClosedWhenTheirTargetCannotBeRead TestEveryOperationEndsWithinItsDeadline TestEchoedCredentialsAreNeverShownCachedOrJournaled TestRetentionCutOffAtAPlaceholderIsShownWithItsUndo; do
    if ! grep -q -E "^\s*--- PASS: $must " "$log"; then
      echo "test: integration test $must did not pass" >&2
      status=1
    fi
  done
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
