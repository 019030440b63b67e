#include "ui/calibration_info.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"

namespace hl {

CalibrationInfo MakeCalibrationInfo(const Rig& rig, const std::filesystem::path& rig_path,
                                    const Eigen::Vector3d& volume_centre) {
  CalibrationInfo info;
  info.rig_error_px = rig.error_px;
  info.adjusted = rig.adjusted;
  for (const Camera& cam : rig.cameras) {
    CameraCalibrationRow row;
    row.name = cam.name;
    row.width = cam.width, row.height = cam.height;
    row.rms_px = cam.rms_px;
    const double f = 0.5 * (cam.fx + cam.fy);
    const double depth = (cam.cam_from_world * volume_centre).z();
    if (cam.rms_px >= 0 && f > 0 && depth > 0) {
      row.world_error_mm = cam.rms_px * depth / f * 1e3;
      row.world_error_estimated = true;
    }
    info.cameras.push_back(row);
  }
  if (rig_path.empty()) return info;
  std::filesystem::path report = rig_path;
  report.replace_extension(".json");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(report, ec)) return info;
  try {
    const Json j = Json::Parse(ReadFileText(report, 16u << 20), report.string());
    const Json* cams = j.find("cameras");
    if (!cams || !cams->is_array()) throw Error(report.string(), "no \"cameras\" array");
    for (const Json& c : cams->array()) {
      const Json* name = c.find("name");
      if (!name || !name->is_string()) continue;
      for (CameraCalibrationRow& row : info.cameras) {
        if (row.name != name->str()) continue;
        if (const Json* e = c.find("world_error_mm"); e && e->is_number()) {
          row.world_error_mm = e->number();
          row.world_error_estimated = false;
        }
        if (const Json* v = c.find("views_used");
            v && v->is_number() && v->number() >= 0 && v->number() < 1e9) {
          row.views_used = static_cast<int>(v->number());
        }
      }
    }
    info.report = report.string();
  } catch (const Error& e) {
    info.report_error = e.what();
  }
  return info;
}

}  // namespace hl
