"""What ``/services/data/vXX.X/limits/`` answers: every limit a real org lists, each with
``Max`` and ``Remaining``.

The keys are those of the Limits resource (https://developer.salesforce.com/docs/
atlas.en-us.api_rest.meta/api_rest/resources_limits.htm) for an Enterprise Edition org; the
maxima vary by edition and licences, and none but the API requests (`Org.daily_limit`,
counted by the gate) and the Bulk API 2.0 allocations (`sf_bulk2`) ever move here. A client
must read the keys it needs and tolerate the others.
"""

from __future__ import annotations

from typing import Any

STATIC_MAXIMA: dict[str, int] = {
    "ActiveScratchOrgs": 3,
    "AnalyticsExternalDataSizeMB": 40_960,
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentEinsteinDataInsightsStoryCreation": 5,
    "ConcurrentEinsteinDiscoveryStoryCreation": 2,
    "ConcurrentSyncReportRuns": 20,
    "DailyAnalyticsDataflowJobExecutions": 60,
    "DailyAnalyticsUploadedFilesSizeMB": 51_200,
    "DailyAsyncApexExecutions": 250_000,
    "DailyAsyncApexTests": 500,
    "DailyBulkApiBatches": 15_000,
    "DailyBulkV2QueryFileStorageMB": 976_562,
    "DailyBulkV2QueryJobs": 10_000,
    "DailyDeliveredPlatformEvents": 50_000,
    "DailyDurableGenericStreamingApiEvents": 10_000,
    "DailyDurableStreamingApiEvents": 10_000,
    "DailyEinsteinDataInsightsStoryCreation": 1_000,
    "DailyEinsteinDiscoveryPredictAPICalls": 50_000,
    "DailyEinsteinDiscoveryPredictionsByCDC": 500_000,
    "DailyEinsteinDiscoveryStoryCreation": 100,
    "DailyFunctionsApiCallLimit": 235_000,
    "DailyGenericStreamingApiEvents": 10_000,
    "DailyScratchOrgs": 6,
    "DailyStandardVolumePlatformEvents": 10_000,
    "DailyStreamingApiEvents": 10_000,
    "DailyWorkflowEmails": 2_000,
    "DataStorageMB": 1_024,
    "DurableStreamingApiConcurrentClients": 20,
    "FileStorageMB": 1_024,
    "HourlyAsyncReportRuns": 1_200,
    "HourlyDashboardRefreshes": 200,
    "HourlyDashboardResults": 5_000,
    "HourlyDashboardStatuses": 999_999_999,
    "HourlyLongTermIdMapping": 100_000,
    "HourlyManagedContentPublicRequests": 50_000,
    "HourlyODataCallout": 20_000,
    "HourlyPublishedPlatformEvents": 50_000,
    "HourlyPublishedStandardVolumePlatformEvents": 1_000,
    "HourlyShortTermIdMapping": 100_000,
    "HourlySyncReportRuns": 500,
    "HourlyTimeBasedWorkflow": 50,
    "MassEmail": 10,
    "MonthlyEinsteinDiscoveryStoryCreation": 500,
    "Package2VersionCreates": 6,
    "Package2VersionCreatesWithoutValidation": 500,
    "PermissionSets": 1_500,
    "PrivateConnectOutboundCalloutHourlyLimitMB": 0,
    "SingleEmail": 5_000,
    "StreamingApiConcurrentClients": 20,
}
USED = {"DataStorageMB": 24}  # the seed data's storage, so Remaining is not Max everywhere


def org_limits(daily_limit: int, used: int, bulk: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Every limit, the moving ones (API requests, Bulk API 2.0) from their counters."""
    out: dict[str, Any] = {k: {"Max": m, "Remaining": m - USED.get(k, 0)}
                           for k, m in STATIC_MAXIMA.items()}
    out["PermissionSets"]["CreateCustom"] = {"Max": 1_000, "Remaining": 1_000}
    out.update(bulk)
    out["DailyApiRequests"] = {"Max": daily_limit, "Remaining": max(0, daily_limit - used)}
    return dict(sorted(out.items()))
