// Which markers of the marker set the cameras can see, per drill (good form)
// and in the static trial, from the simulated geometry alone (no rendering):
// a view counts when the marker faces the camera within `max_angle` degrees,
// its four corners project inside the image and no body or prop capsule lies
// on the ray to any corner (hl::sim::MarkerSeenBy, the reconstruction
// bench's criterion). Prints per
// drill and marker the fraction of frames two or more cameras see it, and per
// segment the fraction of frames in which its pose is observable: three
// markers seen by two cameras each whose triangle is not a line (every
// height >= 3 cm), or one-marker segments seen by two cameras; and the
// fraction with two or more of its markers seen by two cameras each.
//
// Usage: marker_visibility_bench [rig=studio4] [max_angle_deg=75] [frame_step=3]
//        [markers=data/markersets/default.yml]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "capture/sim/drills.h"
#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"

namespace {

using Eigen::Vector3d;

// Whether some three of `points` span a triangle whose every height is >= h.
bool NonCollinearTriple(const std::vector<Vector3d>& points, double h) {
  const size_t n = points.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      for (size_t k = j + 1; k < n; ++k) {
        const double area2 = (points[j] - points[i]).cross(points[k] - points[i]).norm();
        const double longest =
            std::max({(points[j] - points[i]).norm(), (points[k] - points[i]).norm(),
                      (points[k] - points[j]).norm()});
        if (longest > 0 && area2 / longest >= h) return true;
      }
    }
  }
  return false;
}

struct Counts {
  int frames = 0;
  std::map<int, int> seen2;    // by marker id: frames seen by >= 2 cameras
  std::map<int, int> present;  // frames the marker is mounted
  // Per marker, per frame seen by two cameras: the code cell (px, along the
  // marker's more foreshortened side) in the second-best camera.
  std::map<int, std::vector<double>> cell_px;
  std::map<std::string, int> observable;   // by segment
  std::map<std::string, int> two_markers;  // two or more markers seen by >= 2 cameras
  std::map<std::string, int> segment_present;
};

void Measure(const hl::sim::SimulatedMotion& motion, const std::vector<hl::Camera>& cams,
             const hl::MarkerSet& set, double max_angle, int step, Counts* out) {
  for (size_t f = 0; f < motion.frames.size(); f += step) {
    const hl::sim::SceneFrame& scene = motion.frames[f];
    ++out->frames;
    std::map<std::string, std::vector<Vector3d>> seen_points;
    std::map<std::string, bool> present;
    for (const auto& m : scene.markers) {
      int n = 0;
      std::vector<double> cells;
      for (const hl::Camera& c : cams) {
        if (!hl::sim::MarkerSeenBy(c, m, scene.occluders, max_angle)) continue;
        ++n;
        const auto corners = hl::sim::MarkerCornersInWorld(m);
        Eigen::Vector2d px[4];
        for (int i = 0; i < 4; ++i) c.Project(corners[i], &px[i]);
        const double a = 0.5 * ((px[1] - px[0]).norm() + (px[2] - px[3]).norm());
        const double b = 0.5 * ((px[3] - px[0]).norm() + (px[2] - px[1]).norm());
        // 4x4 dictionaries: six cells across with the black border.
        cells.push_back(std::min(a, b) / 6.0);
      }
      if (cells.size() >= 2) {
        std::sort(cells.rbegin(), cells.rend());
        out->cell_px[m.id].push_back(cells[1]);
      }
      const std::string& seg = set.Find(m.id)->segment;
      ++out->present[m.id];
      present[seg] = true;
      if (n >= 2) {
        ++out->seen2[m.id];
        seen_points[seg].push_back(m.world_from_marker.translation);
      }
    }
    for (const auto& [seg, yes] : present) {
      ++out->segment_present[seg];
      int n_markers = 0;
      for (const auto& spec : set.markers) n_markers += spec.segment == seg;
      const auto& pts = seen_points[seg];
      const bool ok = n_markers == 1   ? pts.size() == 1
                      : n_markers == 2 ? pts.size() == 2
                                       : NonCollinearTriple(pts, 0.03);
      out->observable[seg] += ok;
      out->two_markers[seg] += pts.size() >= 2;
    }
  }
}

void Print(const std::string& what, const Counts& c, const hl::MarkerSet& set) {
  std::printf("%-20s frames %4d |", what.c_str(), c.frames);
  for (const auto& spec : set.markers) {
    const auto p = c.present.find(spec.id);
    if (p == c.present.end()) continue;
    const auto s = c.seen2.find(spec.id);
    std::printf(" M%d %.0f", spec.id, 100.0 * (s == c.seen2.end() ? 0 : s->second) / p->second);
  }
  std::printf("\n%-20s median cell px (2nd camera):", "");
  for (const auto& spec : set.markers) {
    const auto it = c.cell_px.find(spec.id);
    if (it == c.cell_px.end()) continue;
    std::vector<double> v = it->second;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    std::printf(" M%d %.1f", spec.id, v[v.size() / 2]);
  }
  std::printf("\n%-20s observable segments (%%):", "");
  for (const auto& [seg, n] : c.segment_present) {
    std::printf(" %s %.1f", seg.c_str(), 100.0 * c.observable.at(seg) / n);
  }
  std::printf("\n%-20s two markers seen (%%):", "");
  for (const auto& [seg, n] : c.segment_present) {
    std::printf(" %s %.1f", seg.c_str(), 100.0 * c.two_markers.at(seg) / n);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string rig_name = argc > 1 ? argv[1] : "studio4";
  const double max_angle = argc > 2 ? std::atof(argv[2]) : 75.0;
  const int step = std::max(1, argc > 3 ? std::atoi(argv[3]) : 3);
  const std::filesystem::path set_path =
      argc > 4 ? std::filesystem::path(argv[4])
               : std::filesystem::path(__FILE__).parent_path().parent_path() /
                     "data/markersets/default.yml";
  try {
    const hl::MarkerSet set = hl::ReadMarkerSet(set_path);
    const std::vector<hl::Camera> cams = hl::sim::MakeRigPreset(rig_name).cameras;
    const double max_angle_rad = max_angle * M_PI / 180.0;
    std::printf(
        "marker visibility, %s, facing within %.0f deg, every %d-th frame: %% of frames seen "
        "by >= 2 cameras\n",
        rig_name.c_str(), max_angle, step);
    hl::sim::StaticOptions so;
    so.fps = hl::sim::PresetFps(rig_name);
    {
      Counts c;
      Measure(hl::sim::SimulateStatic(so, set, hl::sim::Anthropometry()), cams, set, max_angle_rad,
              step, &c);
      Print("static", c, set);
    }
    for (const auto& drill : hl::sim::Drills()) {
      hl::sim::DrillMotionOptions o;
      o.drill = drill.id;
      o.reps = 2;
      o.fps = hl::sim::PresetFps(rig_name);
      Counts c;
      Measure(hl::sim::SimulateDrill(o, set, hl::sim::Anthropometry()), cams, set, max_angle_rad,
              step, &c);
      Print(drill.id, c, set);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
