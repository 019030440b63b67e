/* A minimal drill plugin written in C99: proves the ABI header is plain C and
 * gives the ABI test a well-behaved plugin. One fault per rep when the knee
 * travel passes its threshold; score 100 otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/hingelab_plugin.h"

typedef struct context {
  double knee_travel_m;
  int32_t reps_seen;
} context;

static const char* const kRequired[] = {"pelvis", "knee_left|knee_right", NULL};
static const char* const kOptional[] = {"dowel", NULL};
static const hl_threshold kThresholds[] = {
    {"knee_travel_m", 0.05, "m", "knees_forward past this forward knee travel", "ours"},
};

static void* create(const hl_plugin_config* config, char* message, uint32_t message_size) {
  context* c = (context*)calloc(1, sizeof(context));
  uint32_t i;
  if (c == NULL) {
    snprintf(message, message_size, "out of memory");
    return NULL;
  }
  c->knee_travel_m = kThresholds[0].default_value;
  for (i = 0; config != NULL && i < config->num_thresholds; ++i) {
    if (strcmp(config->thresholds[i].name, "knee_travel_m") != 0) {
      snprintf(message, message_size, "unknown threshold %s", config->thresholds[i].name);
      free(c);
      return NULL;
    }
    c->knee_travel_m = config->thresholds[i].value;
  }
  return c;
}

static const hl_series* find(const hl_score_input* in, const char* name) {
  uint32_t i;
  for (i = 0; i < in->num_series; ++i) {
    if (strcmp(in->series[i].name, name) == 0) return &in->series[i];
  }
  return NULL;
}

static int32_t score(void* ctx, const hl_score_input* in, hl_score_output* out) {
  const context* c = (const context*)ctx;
  const hl_series* knee;
  uint32_t r;
  if (out == NULL || out->struct_size < sizeof(hl_score_output)) return HL_STATUS_BAD_INPUT;
  if (in == NULL || in->struct_size < sizeof(hl_score_input)) {
    out->status = HL_STATUS_BAD_INPUT;
    return out->status;
  }
  knee = find(in, HL_MEASURE_KNEE_TRAVEL);
  out->num_reps = 0;
  for (r = 0; r < in->num_reps && r < HL_MAX_REPS; ++r) {
    const hl_rep_span* span = &in->reps[r];
    hl_rep_result* rep = &out->reps[r];
    double worst = 0.0;
    int32_t f;
    for (f = span->start_frame; knee != NULL && f <= span->end_frame; ++f) {
      if (knee->valid[f] && knee->values[f] > worst) worst = knee->values[f];
    }
    rep->start_frame = span->start_frame;
    rep->end_frame = span->end_frame;
    rep->num_metrics = 1;
    rep->metrics[0].name = "knee_travel_max_m";
    rep->metrics[0].value = worst;
    rep->num_faults = 0;
    rep->score = 100.0;
    rep->grade = 3;
    if (worst > c->knee_travel_m) {
      rep->faults[0] = HL_FAULT_KNEES_FORWARD;
      rep->cues[0] = "Send the hips back, not the knees forward.";
      rep->num_faults = 1;
      rep->score = 70.0;
      rep->grade = 2;
    }
    out->num_reps = r + 1;
  }
  out->status = HL_STATUS_OK;
  return HL_STATUS_OK;
}

static int32_t update(void* ctx, const hl_frame_input* frame, hl_live_feedback* out) {
  context* c = (context*)ctx;
  (void)frame;
  c->reps_seen += 0;
  out->rep_count = c->reps_seen;
  out->in_rep = 0;
  out->num_faults = 0;
  out->status = HL_STATUS_OK;
  return HL_STATUS_OK;
}

static void destroy(void* ctx) { free(ctx); }

static const hl_plugin_descriptor kDescriptor = {
    HL_PLUGIN_API_VERSION, sizeof(hl_plugin_descriptor), "test_c_plugin", "A plugin in C", "0.1.0",
    kRequired, kOptional, 1, kThresholds, HL_MEASURE_HIP_BACK, 0.05,
    create, score, update, destroy};

HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void) { return &kDescriptor; }
