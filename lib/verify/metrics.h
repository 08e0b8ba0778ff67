/*
 * metrics.h - the verifier's Prometheus textfile, for node_exporter's
 * textfile collector: written after each completed `verifier run` when
 * the configuration sets metrics_file (README "The verifier").
 */
#ifndef SA_METRICS_H
#define SA_METRICS_H

#include <time.h>

#include "sweep.h"

/*
 * Replaces path (file_replace(): a temporary name beside it, renamed, mode
 * 0644 so node_exporter's account reads it) with the live domains by
 * status of their SPF and of their DKIM record, from the database, and
 * the run st that ended at end: when, how long, checks by outcome and
 * per second. 0, or -1 with a line on stderr.
 */
int metrics_write(const char *path, const struct sweep_stats *st, time_t end);

#endif
