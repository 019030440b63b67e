/*
 * hingelab_plugin.h: the drill plugin ABI of HingeLab, plain C (C99 and C++).
 *
 * A drill plugin is a shared library named libhl_drill_<id>.so that exports one
 * function, hl_plugin_entry(), returning a pointer to a constant
 * hl_plugin_descriptor: plain data (id, title, segments, thresholds) and
 * function pointers taking an opaque context, in the manner of OBS and OpenFX.
 *
 * Versioning: api_version = MAJOR << 16 | MINOR. The host refuses a plugin of
 * another MAJOR. A MINOR release only appends fields to the end of structs, so
 * every struct carries struct_size: the host checks the descriptor's size, the
 * plugin checks the size of each input/output struct the host hands it, and
 * neither reads past the size the other declared.
 *
 * Rules across the boundary: no STL types, no exceptions (a C++ plugin catches
 * everything inside each function and reports HL_STATUS_ERROR), no memory
 * ownership transfer. Strings a plugin returns (fault names, cues, metric
 * names) must stay valid until the library is unloaded: string literals.
 *
 * Units: measure series are SI (metres, seconds, radians). Thresholds are in
 * the unit they declare (m, deg, s), since people write them in files.
 */
#ifndef HINGELAB_PLUGIN_H_
#define HINGELAB_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#define HL_PLUGIN_API_VERSION_MAJOR 1
#define HL_PLUGIN_API_VERSION_MINOR 0
#define HL_PLUGIN_API_VERSION \
  ((uint32_t)(((uint32_t)HL_PLUGIN_API_VERSION_MAJOR << 16) | HL_PLUGIN_API_VERSION_MINOR))
#define HL_PLUGIN_API_MAJOR(v) ((uint32_t)(v) >> 16)
#define HL_PLUGIN_API_MINOR(v) ((uint32_t)(v)&0xffffu)

/* The one exported symbol, and the file name pattern the host loads. */
#define HL_PLUGIN_ENTRY_NAME "hl_plugin_entry"
#define HL_PLUGIN_FILE_PREFIX "libhl_drill_"
#define HL_PLUGIN_FILE_SUFFIX ".so"

#if defined(_WIN32)
#define HL_PLUGIN_EXPORT __declspec(dllexport)
#else
#define HL_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Fixed capacities of the output structs (no allocation across the boundary). */
#define HL_MAX_FAULTS 16
#define HL_MAX_METRICS 24
#define HL_MAX_REPS 128
#define HL_MAX_SEGMENTS 16
#define HL_MESSAGE_SIZE 512

/* Status codes returned by score/update and stored in outputs. */
#define HL_STATUS_OK 0
#define HL_STATUS_NOT_ASSESSABLE 1 /* a required segment or a static trial is missing */
#define HL_STATUS_BAD_INPUT 2      /* the host passed something the plugin cannot use */
#define HL_STATUS_ERROR 3          /* the plugin failed; message says why */

/* Fault vocabulary (drills.md): the only strings a plugin may report. */
#define HL_FAULT_DOWEL_CONTACT_LOST "dowel_contact_lost"
#define HL_FAULT_INSUFFICIENT_HINGE "insufficient_hinge"
#define HL_FAULT_KNEES_FORWARD "knees_forward"
#define HL_FAULT_HIPS_NOT_BACK "hips_not_back"
#define HL_FAULT_WALL_NOT_REACHED "wall_not_reached"
#define HL_FAULT_BOX_NOT_REACHED "box_not_reached"
#define HL_FAULT_INCOMPLETE_LOCKOUT "incomplete_lockout"
#define HL_FAULT_NO_PAUSE "no_pause"
#define HL_FAULT_BACK_FLEXION "back_flexion"
#define HL_FAULT_PELVIS_DROP "pelvis_drop"
#define HL_FAULT_PELVIS_ROTATION "pelvis_rotation"
#define HL_FAULT_BAR_TOO_LOW "bar_too_low"
#define HL_FAULT_BAR_TOO_HIGH "bar_too_high"

/*
 * Measure series the host computes (subject frame: forward, left, up from the
 * static trial). A series is absent when the segments it needs are absent.
 */
#define HL_MEASURE_DOWEL_GAP "dowel_gap_m"               /* sacrum to dowel line, minus static */
#define HL_MEASURE_DOWEL_GAP_HEAD "dowel_gap_head_m"     /* same for the head marker */
#define HL_MEASURE_DOWEL_GAP_THORAX "dowel_gap_thorax_m" /* same for the thorax plate */
#define HL_MEASURE_HIP_BACK "hip_back_m"                 /* sacrum backward from its start */
#define HL_MEASURE_HIP_DOWN "hip_down_m"                 /* sacrum downward from its start */
#define HL_MEASURE_HIP_UP "hip_up_m"                     /* = -hip_down_m */
#define HL_MEASURE_HIP_DISPLACEMENT "hip_displacement_m" /* hypot(back, down) */
#define HL_MEASURE_KNEE_TRAVEL_LEFT "knee_travel_left_m" /* knee forward from its start */
#define HL_MEASURE_KNEE_TRAVEL_RIGHT "knee_travel_right_m"
#define HL_MEASURE_KNEE_TRAVEL "knee_travel_m" /* the larger of the two sides */
#define HL_MEASURE_KNEE_RISE_LEFT "knee_rise_left_m" /* knee upward from its start */
#define HL_MEASURE_KNEE_RISE_RIGHT "knee_rise_right_m"
#define HL_MEASURE_TRUNK_INCLINATION "trunk_inclination_rad" /* dowel (or thorax) from vertical */
#define HL_MEASURE_HIP_FLEXION "hip_flexion_rad" /* trunk-thigh angle, minus static */
#define HL_MEASURE_BACK_FLEXION "back_flexion_rad" /* trunk vs pelvis, minus static */
#define HL_MEASURE_PELVIS_TILT "pelvis_tilt_rad"   /* anterior tilt positive */
#define HL_MEASURE_PELVIS_DROP "pelvis_drop_rad"   /* left side up positive */
#define HL_MEASURE_PELVIS_ROTATION "pelvis_rotation_rad" /* towards the left positive */
#define HL_MEASURE_BAR_HEIGHT "bar_height_m"       /* bar markers above the floor */
#define HL_MEASURE_KNEE_HEIGHT "knee_height_m"     /* mean knee marker height */

#ifdef __cplusplus
extern "C" {
#endif

/* A threshold the plugin uses, with its default and where the number comes from. */
typedef struct hl_threshold {
  const char* name;          /* e.g. "contact_gap_m" */
  double default_value;      /* in `unit` */
  const char* unit;          /* "m", "deg", "s" or "" */
  const char* description;   /* one sentence */
  const char* source;        /* "ours" or a citation */
} hl_threshold;

typedef struct hl_threshold_value {
  const char* name;
  double value;
} hl_threshold_value;

/* Passed to create(). Thresholds not listed keep their defaults. */
typedef struct hl_plugin_config {
  uint32_t struct_size;
  double fps;
  uint32_t num_thresholds;
  const hl_threshold_value* thresholds;
} hl_plugin_config;

/* One measure over the whole recording: values[i] counts only when valid[i]. */
typedef struct hl_series {
  const char* name; /* an HL_MEASURE_* name */
  const double* values;
  const uint8_t* valid;
} hl_series;

/* A repetition the host segmented: frames [start_frame, end_frame]. */
typedef struct hl_rep_span {
  int32_t start_frame;
  int32_t end_frame;
  int32_t peak_frame;  /* where rep_signal is furthest from rest */
  double peak_hold_s;  /* time spent near the peak (the pause at the top or bottom) */
} hl_rep_span;

typedef struct hl_score_input {
  uint32_t struct_size;
  double fps;
  int32_t num_frames;
  uint32_t num_series;
  const hl_series* series;
  uint32_t num_reps;
  const hl_rep_span* reps;
  uint32_t num_segments;          /* segments present in the recording */
  const char* const* segments;
  int32_t has_static_trial;       /* 0: the first quiet second stood in for it */
} hl_score_input;

typedef struct hl_metric {
  const char* name; /* e.g. "dowel_gap_max_m"; units in the name's suffix */
  double value;
} hl_metric;

typedef struct hl_rep_result {
  int32_t start_frame;
  int32_t end_frame;
  double score;  /* 0..100 */
  int32_t grade; /* 3 clean, 2 compensation, 1 cannot keep the pattern, 0 not assessed */
  uint32_t num_faults;
  const char* faults[HL_MAX_FAULTS]; /* HL_FAULT_* strings */
  const char* cues[HL_MAX_FAULTS];   /* cues[i] is the coaching cue for faults[i] */
  uint32_t num_metrics;
  hl_metric metrics[HL_MAX_METRICS];
} hl_rep_result;

typedef struct hl_score_output {
  uint32_t struct_size; /* set by the host */
  int32_t status;       /* HL_STATUS_* */
  char message[HL_MESSAGE_SIZE];
  uint32_t num_missing_segments;
  const char* missing_segments[HL_MAX_SEGMENTS];
  uint32_t num_reps;
  hl_rep_result reps[HL_MAX_REPS];
} hl_score_output;

/* One frame of measures for live feedback; names[i] is an HL_MEASURE_* name. */
typedef struct hl_frame_input {
  uint32_t struct_size;
  double time_s;
  uint32_t num_values;
  const char* const* names;
  const double* values;
  const uint8_t* valid;
} hl_frame_input;

typedef struct hl_live_feedback {
  uint32_t struct_size; /* set by the host */
  int32_t status;
  char message[HL_MESSAGE_SIZE];
  int32_t rep_count; /* repetitions completed so far */
  int32_t in_rep;    /* 1 while a repetition is under way */
  uint32_t num_faults;
  const char* faults[HL_MAX_FAULTS]; /* faults seen in this frame */
  const char* cues[HL_MAX_FAULTS];
} hl_live_feedback;

typedef struct hl_plugin_descriptor {
  uint32_t api_version; /* HL_PLUGIN_API_VERSION the plugin was built with */
  uint32_t struct_size; /* sizeof(hl_plugin_descriptor) as the plugin saw it */
  const char* id;       /* [a-z0-9_]+, e.g. "dowel_hinge" */
  const char* title;
  const char* version;  /* the plugin's own version, e.g. "1.0.0" */
  /*
   * NULL-terminated segment names (drills.md). An entry "a|b" is satisfied by
   * either segment (a trunk line from the dowel or from the thorax plate).
   */
  const char* const* required_segments;
  const char* const* optional_segments;
  uint32_t num_thresholds;
  const hl_threshold* thresholds;
  /* The measure whose rises from rest are repetitions, and the smallest rise
   * (in its unit) that counts as one. */
  const char* rep_signal;
  double rep_min_amplitude;

  /* Returns a context, or NULL with a message (unknown threshold, bad value). */
  void* (*create)(const hl_plugin_config* config, char* message, uint32_t message_size);
  /* Scores a whole recording. Returns the status it also stores in out. */
  int32_t (*score)(void* context, const hl_score_input* input, hl_score_output* output);
  /* Streaming: one frame in, live feedback out. */
  int32_t (*update)(void* context, const hl_frame_input* frame, hl_live_feedback* feedback);
  void (*destroy)(void* context);
} hl_plugin_descriptor;

typedef const hl_plugin_descriptor* (*hl_plugin_entry_fn)(void);

/* The one entry point every plugin exports. */
HL_PLUGIN_EXPORT const hl_plugin_descriptor* hl_plugin_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HINGELAB_PLUGIN_H_ */
