/* A plugin whose score() misbehaves in the way its "mode" threshold picks:
 * 0 fails with a message, 1 returns an absurd rep count, 2 a fault outside the
 * vocabulary, 3 a NaN score, 4 frames outside the recording, 5 a status that
 * differs from the one stored, 6 behaves, 7 crashes (null pointer), 8 never
 * returns, 9 aborts. The host must survive every one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/hingelab_plugin.h"

static const char* const kRequired[] = {"pelvis", NULL};
static const hl_threshold kThresholds[] = {
    {"mode", 0.0, "", "which misbehaviour to show", "test"},
};

static void* create(const hl_plugin_config* config, char* message, uint32_t message_size) {
  int* mode = (int*)calloc(1, sizeof(int));
  (void)message;
  (void)message_size;
  if (mode != NULL && config != NULL && config->num_thresholds == 1) {
    *mode = (int)config->thresholds[0].value;
  }
  return mode;
}

static int32_t score(void* ctx, const hl_score_input* in, hl_score_output* out) {
  const int mode = *(const int*)ctx;
  hl_rep_result* rep = &out->reps[0];
  out->num_reps = in->num_reps > 0 ? 1 : 0;
  rep->start_frame = 0;
  rep->end_frame = in->num_frames - 1;
  rep->score = 90.0;
  rep->grade = 3;
  out->status = HL_STATUS_OK;
  switch (mode) {
    case 0:
      snprintf(out->message, sizeof(out->message), "the test plugin refuses to score");
      out->status = HL_STATUS_ERROR;
      break;
    case 1:
      out->num_reps = 4000000000u;
      break;
    case 2:
      rep->num_faults = 1;
      rep->faults[0] = "slouching";
      rep->cues[0] = "sit up";
      break;
    case 3:
      rep->score = nan("");
      break;
    case 4:
      rep->end_frame = in->num_frames + 10;
      break;
    case 5:
      out->status = HL_STATUS_OK;
      return HL_STATUS_ERROR;
    case 7: {
      volatile int* nowhere = NULL;
      rep->score = *nowhere; /* a crash: SIGSEGV */
      break;
    }
    case 8:
      for (;;) sleep(1); /* never returns */
    case 9:
      abort();
    default:
      break;
  }
  /* Leave the message unterminated on purpose: the host must cope. */
  if (mode == 0) memset(out->message + 40, 'x', sizeof(out->message) - 40);
  return out->status;
}

static int32_t update(void* ctx, const hl_frame_input* frame, hl_live_feedback* out) {
  (void)ctx;
  (void)frame;
  out->num_faults = 99;
  out->status = HL_STATUS_OK;
  return HL_STATUS_OK;
}

static void destroy(void* ctx) { free(ctx); }

static const hl_plugin_descriptor kDescriptor = {
    HL_PLUGIN_API_VERSION, sizeof(hl_plugin_descriptor), "test_garbage", "Misbehaves", "0.0.1",
    kRequired, NULL, 1, kThresholds, HL_MEASURE_HIP_BACK, 0.05, create, score, update, destroy};

HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void) { return &kDescriptor; }
