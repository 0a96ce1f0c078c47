/**
 * pg_auto_failover's timeouts, which decide how long writes stop in a failover. Its defaults are
 * made for networks that partition: the monitor declares a primary failed only after 20 s without
 * news and waits 30 s for it to demote itself, so an unplanned failover took about 50 s here.
 * On one machine or a fast, reliable network much shorter values are safe; see docs/scaling.md.
 */
export interface FailoverTimeouts {
  /** Monitor: how often it checks each node (pgautofailover.health_check_period). */
  healthCheckPeriodMs: number;
  /** Monitor: how long a health check connection may take (health_check_timeout). */
  healthCheckTimeoutMs: number;
  /** Monitor: retries of a failed health check, and the delay between them. */
  healthCheckMaxRetries: number;
  healthCheckRetryDelayMs: number;
  /** Monitor: how long a node that fails checks and has not reported is still trusted. */
  nodeConsideredUnhealthyMs: number;
  /** Monitor: how long it waits for a failed primary to demote itself before promoting. */
  primaryDemoteTimeoutMs: number;
  /** Keeper: seconds a standby waits for its WAL receiver to stop before promotion. */
  preparePromotionWalreceiverS: number;
  /** Keeper: seconds a standby may take to catch up before promotion. */
  preparePromotionCatchupS: number;
}

export const DEFAULT_TIMEOUTS: FailoverTimeouts = {
  healthCheckPeriodMs: 5_000,
  healthCheckTimeoutMs: 5_000,
  healthCheckMaxRetries: 2,
  healthCheckRetryDelayMs: 2_000,
  nodeConsideredUnhealthyMs: 20_000,
  primaryDemoteTimeoutMs: 30_000,
  preparePromotionWalreceiverS: 5,
  preparePromotionCatchupS: 30,
};

/** What the drill uses: a failed primary is detected in about 2 s and replaced at once. */
export const TUNED_TIMEOUTS: FailoverTimeouts = {
  healthCheckPeriodMs: 500,
  healthCheckTimeoutMs: 500,
  healthCheckMaxRetries: 1,
  healthCheckRetryDelayMs: 250,
  nodeConsideredUnhealthyMs: 2_000,
  primaryDemoteTimeoutMs: 1_000,
  preparePromotionWalreceiverS: 1,
  preparePromotionCatchupS: 5,
};

export function monitorSettings(timeouts: FailoverTimeouts): [string, string][] {
  return [
    ["pgautofailover.health_check_period", String(timeouts.healthCheckPeriodMs)],
    ["pgautofailover.health_check_timeout", String(timeouts.healthCheckTimeoutMs)],
    ["pgautofailover.health_check_max_retries", String(timeouts.healthCheckMaxRetries)],
    ["pgautofailover.health_check_retry_delay", String(timeouts.healthCheckRetryDelayMs)],
    [
      "pgautofailover.node_considered_unhealthy_timeout",
      String(timeouts.nodeConsideredUnhealthyMs),
    ],
    ["pgautofailover.primary_demote_timeout", String(timeouts.primaryDemoteTimeoutMs)],
  ];
}

export function nodeSettings(timeouts: FailoverTimeouts): [string, string][] {
  return [
    ["timeout.prepare_promotion_walreceiver", String(timeouts.preparePromotionWalreceiverS)],
    ["timeout.prepare_promotion_catchup", String(timeouts.preparePromotionCatchupS)],
  ];
}
