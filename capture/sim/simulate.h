#pragma once

// A simulated take written as a session folder (design.md):
//
//   DIR/session.yml            format: hingelab-session-1 (only when absent)
//   DIR/rig.yml, markers.yml   the rig and marker set used
//   DIR/<take>/take.yml        kind (drill | static | calibration), drill, fps
//   DIR/<take>/<camera>/000000.png ...   rendered views
//   DIR/<take>/truth/markers.csv   true marker centres and landmarks (long CSV)
//   DIR/<take>/truth/corners.csv   camera,frame,id,corner,u,v,visible: every
//        marker corner projected into every camera (visible = in the image,
//        printed face towards the camera and no body capsule in between).
//        Calibration takes list the board's ChArUco corners (id = corner id,
//        corner = 0) instead.
//   DIR/<take>/truth/rig.toml      the true rig (anipose layout)
//   DIR/<take>/truth/labels.json   {"drill", "fps", "reps": [...]} (drill, static)
//   DIR/<take>/truth/measures.csv  the true measures per frame (drill, static)
//   DIR/<take>/truth/board.json    board spec and poses (calibration)
//
// The same options and seed give the same files. Cameras render in parallel.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "capture/sim/body.h"
#include "capture/sim/renderer.h"
#include "core/rig.h"

namespace hl::sim {

struct SimulateOptions {
  // "drill", "static" or "calibration".
  std::string scene = "drill";
  // Drill id and the faults of every rep (scene drill).
  std::string drill = "dowel_hinge";
  std::vector<std::string> faults;
  int reps = 3;
  // A rig preset (capture/sim/rig_presets.h) or a rig file.
  std::string rig = "studio4";
  // Marker set file (YAML).
  std::filesystem::path markers_path;
  // Image size; 0 keeps the rig's. Intrinsics scale with it.
  int width = 0;
  int height = 0;
  // Length: frames wins over duration_s; both 0: the scene's own length
  // (drill: its reps; static: 3 s; calibration: 130 stills).
  int frames = 0;
  double duration_s = 0.0;
  // 0: the preset's rate (drill, static; 60 for rig files) or 10 (calibration).
  double fps = 0.0;
  uint64_t seed = 1;
  RenderOptions render;
  // False: write the truth and metadata but no images (fast, for tests).
  bool render_images = true;
  std::filesystem::path output_dir;
  // Take folder name; empty: the drill id (plus its faults), "static" or
  // "calibration".
  std::string take;
  // A take folder that already holds a take (take.yml) is refused unless this
  // is set; then it is emptied first (no frames of the old take stay behind).
  bool replace = false;
  Anthropometry body;
  // Called after each rendered frame (done, total) when set.
  std::function<void(int, int)> progress;
};

struct SimulateSummary {
  std::filesystem::path take_dir;
  std::string kind;
  int frames = 0;
  int cameras = 0;
  double fps = 0.0;
  int reps = 0;
  int markers = 0;  // markers in the scene
  // The session folder's rig.yml was there already (a calibration, or an
  // earlier take's) and was kept; the simulator's true rig is in truth/rig.toml.
  bool kept_session_rig = false;
};

// Throws hl::Error naming the option or file at fault.
SimulateSummary SimulateTake(const SimulateOptions& options);

// The take folder name SimulateTake uses when options.take is empty.
std::string DefaultTakeName(const SimulateOptions& options);

// A rig with every camera resized to width x height (intrinsics scaled).
Rig ScaleRig(const Rig& rig, int width, int height);

}  // namespace hl::sim
