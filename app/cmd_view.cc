// hingelab view [RECORDING or TAKE or SESSION] [--rig RIG] [--markers SET] [--drill ID]
//   [--screenshot OUT.png --frame N [--size WxH] [--panels]]
// The 3D viewer; the screenshot mode renders one frame offscreen and exits.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/command.h"
#include "core/error.h"

#ifdef HL_HAVE_GUI
#include <opencv2/imgcodecs.hpp>

#include "plugins/host/drill_score.h"
#include "ui/drill_state.h"
#include "ui/screenshot.h"
#include "ui/viewer_app.h"
#include "ui/viewer_panels.h"
#include "ui/viewer_state.h"
#endif

namespace hl::app {
namespace {

#ifdef HL_HAVE_GUI

void ParseSize(const std::string& text, int* width, int* height) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') ||
      w < 16 || h < 16 || w > 8192 || h > 8192) {
    throw UsageError("--size must be WxH with each side 16..8192 (e.g. 1280x720), got '" + text + "'");
  }
  *width = w, *height = h;
}

// The drill's plugin picked in the drill panel, as `hingelab score` finds it.
void PickDrill(const std::string& drill, DrillState* state) {
  if (state->Select(drill)) return;
  std::string ids;
  for (const auto& p : state->plugins()) ids += (ids.empty() ? "" : ", ") + p->id();
  throw Error("--drill", "no plugin for drill '" + drill + "'; found: " +
                             (ids.empty() ? std::string("none") : ids) +
                             " (see 'hingelab plugins')");
}

int RunView(const Args& args) {
  const bool screenshot = args.has("screenshot");
  if (!screenshot && (args.has("frame") || args.has("size") || args.has("panels"))) {
    throw UsageError("--frame, --size and --panels go with --screenshot PNG");
  }
  if (screenshot && args.positional().empty()) {
    throw UsageError("--screenshot needs a RECORDING, TAKE or SESSION to render");
  }
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if (!screenshot && (!display || !*display) && (!wayland || !*wayland)) {
    throw Error("display", "no display to open the viewer on; set DISPLAY, or render one frame "
                           "with --screenshot PNG --frame N (under xvfb-run when headless)");
  }

  ViewerState state;
  // In screenshot mode every load problem is fatal (nothing is shown to
  // explain it); interactively the viewer opens and lists it.
  auto check = [&](bool ok) {
    if (!ok && screenshot) throw Error("", state.last_error());
  };
  if (!args.positional().empty()) check(state.Open(args.positional()[0]));
  if (args.has("rig")) check(state.LoadRig(args.value("rig")));
  if (args.has("markers")) check(state.LoadMarkerSet(args.value("markers")));
  std::string drill = args.value_or("drill", state.drill());
  ViewerPanels panels;
  panels.drill.Scan(DefaultPluginDirs());
  if (!drill.empty()) {
    try {
      PickDrill(drill, &panels.drill);
      if (state.has_recording() && state.has_marker_set()) panels.drill.Rescore(&state);
    } catch (const Error& e) {
      if (args.has("drill")) throw;
      std::fprintf(stderr, "note: the take's drill %s: %s (reps from the motion only)\n", drill.c_str(),
                   e.message().c_str());
    }
  }

  if (!screenshot) {
    RunViewerApp(&state, &panels, ViewerAppOptions{});
    return 0;
  }
  ScreenshotOptions options;
  if (args.has("size")) ParseSize(args.value("size"), &options.width, &options.height);
  if (args.has("panels")) options.panels = &panels;
  if (state.num_frames() == 0) {
    throw Error(args.positional().empty() ? std::string("view") : args.positional()[0],
                "holds no frames: there is nothing to draw");
  }
  const double frame = args.number("frame", 0.0);
  if (frame < 0 || frame >= state.num_frames() || frame != static_cast<int>(frame)) {
    throw Error("--frame", "must be a whole frame number in 0.." + std::to_string(state.num_frames() - 1) +
                               " (the recording has " + std::to_string(state.num_frames()) + " frames)");
  }
  state.Seek(static_cast<int>(frame));
  const Screenshot shot = RenderScreenshot(state, options);
  const std::string out = args.value("screenshot");
  bool written = false;
  try {
    written = cv::imwrite(out, shot.image);
  } catch (const cv::Exception&) {
    written = false;
  }
  if (!written) throw Error(out, "cannot write the PNG; check the folder exists and is writable");
  for (const auto& m : state.messages()) std::fprintf(stderr, "note: %s\n", m.text.c_str());
  std::printf("%s: frame %d (%.3f s), %dx%d\n", out.c_str(), state.frame(), state.time_s(),
              options.width, options.height);
  return 0;
}

#else

int RunView(const Args&) {
  throw Error("view", "built without the viewer (HL_GUI=OFF); rebuild with -DHL_GUI=ON");
}

#endif

}  // namespace

HL_REGISTER_COMMAND(view_command,
                    {"view", "the 3D viewer; --screenshot renders one frame and exits",
                     "[RECORDING or TAKE or SESSION] [--rig RIG] [--markers SET] [--drill ID] "
                     "[--screenshot OUT.png --frame N [--size WxH] [--panels]]",
                     {{"rig", true, "rig file (.yml or .toml) for the camera frusta"},
                      {"markers", true, "marker set YAML (a recording HingeLab wrote carries its own)"},
                      {"drill", true, "score with this drill's plugin (rep bands, faults)"},
                      {"screenshot", true, "render one frame to this PNG and exit"},
                      {"frame", true, "frame to render with --screenshot (0-based)"},
                      {"size", true, "screenshot size WxH (default 1280x720)"},
                      {"panels", false, "draw the viewer's panels into the screenshot too"}},
                     RunView, 1});

}  // namespace hl::app
