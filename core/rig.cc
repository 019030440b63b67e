#include "core/rig.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <opencv2/core/persistence.hpp>

#include "core/error.h"
#include "core/file_util.h"
#include "core/toml.h"
#include "core/yaml_lite.h"

namespace hl {
namespace {

constexpr const char* kYamlFormat = "hingelab-rig-1";
constexpr int kMaxImageSide = 1 << 16;

bool IsValidDistCount(size_t n) {
  return n == 0 || n == 4 || n == 5 || n == 8 || n == 12 || n == 14;
}

// Names travel through FileStorage (whose writer mangles non-ASCII and
// quote characters), TOML and command lines (NAME=PATH), so keep them plain.
bool IsValidNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ' ' || c == '(' || c == ')' || c == '+' || c == ':';
}

bool AllFinite(const std::vector<double>& v) {
  for (double x : v) {
    if (!std::isfinite(x)) return false;
  }
  return true;
}

// `at` is "line L: " when the camera came from a file line, else "".
void CheckCamera(const Camera& c, const std::string& where, const std::string& at) {
  if (c.name.empty()) throw Error(where, at + "a camera has an empty name; name every camera");
  const auto fail = [&](const std::string& what) {
    throw Error(where, at + "camera '" + c.name + "': " + what);
  };
  for (char ch : c.name) {
    if (!IsValidNameChar(ch)) {
      fail("the name may use only letters, digits, spaces and _ - . ( ) + :");
    }
  }
  if (c.name.size() > 128) fail("the name is longer than 128 characters");
  if (c.name.front() == ' ' || c.name.back() == ' ') fail("the name starts or ends with a space");
  if (c.width <= 0 || c.height <= 0 || c.width > kMaxImageSide || c.height > kMaxImageSide) {
    fail("image size " + std::to_string(c.width) + "x" + std::to_string(c.height) +
         " must be positive (and at most 65536)");
  }
  if (!std::isfinite(c.fx) || !std::isfinite(c.fy) || c.fx <= 0 || c.fy <= 0) {
    fail("focal lengths fx, fy must be positive; check the camera matrix");
  }
  if (!std::isfinite(c.cx) || !std::isfinite(c.cy)) fail("principal point cx, cy must be finite");
  if (!IsValidDistCount(c.dist.size())) {
    fail(std::to_string(c.dist.size()) +
         " distortion coefficients; OpenCV models have 0, 4, 5, 8, 12 or 14 (k1 k2 p1 p2 k3 ...)");
  }
  if (!AllFinite(c.dist)) fail("a distortion coefficient is not finite");
  if (!c.cam_from_world.rotation.coeffs().allFinite() ||
      !c.cam_from_world.translation.allFinite()) {
    fail("rotation and translation must be finite");
  }
  if (std::isnan(c.rms_px) || std::isinf(c.rms_px)) fail("rms_px must be finite");
}

void CheckRig(const Rig& rig, const std::string& where) {
  if (rig.cameras.empty()) throw Error(where, "the rig has no cameras");
  std::set<std::string> names;
  for (const Camera& c : rig.cameras) {
    CheckCamera(c, where, "");
    if (!names.insert(c.name).second) {
      throw Error(where, "camera '" + c.name + "' appears twice; camera names must be unique");
    }
  }
  if (!std::isfinite(rig.error_px)) throw Error(where, "the rig error must be finite");
}

void CheckUniqueName(const Rig& rig, const Camera& c, const std::string& where, int line) {
  for (const Camera& other : rig.cameras) {
    if (other.name == c.name) {
      throw Error(where, "line " + std::to_string(line) + ": camera '" + c.name +
                             "' appears twice; camera names must be unique");
    }
  }
}

// ---- YAML ----

struct YamlMatrix {
  int rows = 0, cols = 0;
  std::vector<double> data;
};

// An `!!opencv-matrix` map (rows, cols, dt, data) or a plain list of numbers
// (read as one row).
YamlMatrix ReadYamlMatrix(const YamlNode& node, const std::string& name, const std::string& what) {
  YamlMatrix m;
  const YamlNode* data = &node;
  if (node.IsMap()) {
    const YamlNode* rows = node.Find("rows");
    const YamlNode* cols = node.Find("cols");
    data = node.Find("data");
    if (!rows || !cols || !data) {
      throw Error(name, "line " + std::to_string(node.line) + ": " + what +
                            " needs rows, cols and data (an !!opencv-matrix)");
    }
    const int64_t r = YamlInteger(*rows, name, what + " rows");
    const int64_t c = YamlInteger(*cols, name, what + " cols");
    if (r < 0 || c < 0 || r > 64 || c > 64) {
      throw Error(name, "line " + std::to_string(rows->line) + ": " + what + " is " +
                            std::to_string(r) + "x" + std::to_string(c) +
                            ", not a camera parameter");
    }
    m.rows = static_cast<int>(r);
    m.cols = static_cast<int>(c);
    if (!data->IsSequence() && !(data->kind == YamlNode::Kind::kNull && r * c == 0)) {
      throw Error(name, "line " + std::to_string(data->line) + ": " + what +
                            " data must be a [ ] list of numbers");
    }
    if (data->items.size() != static_cast<size_t>(r * c)) {
      throw Error(name, "line " + std::to_string(data->line) + ": " + what + " is " +
                            std::to_string(r) + "x" + std::to_string(c) + " but has " +
                            std::to_string(data->items.size()) + " numbers");
    }
  } else if (node.IsSequence()) {
    m.rows = node.items.empty() ? 0 : 1;
    m.cols = static_cast<int>(node.items.size());
  } else {
    throw Error(name, "line " + std::to_string(node.line) + ": " + what +
                          " must be an !!opencv-matrix or a [ ] list of numbers");
  }
  for (const YamlNode& item : data->items) m.data.push_back(YamlNumber(item, name, what));
  return m;
}

Eigen::Vector3d ReadYamlVector3(const YamlNode& node, const std::string& name,
                                const std::string& what) {
  const YamlMatrix m = ReadYamlMatrix(node, name, what);
  if (m.data.size() != 3 || (m.rows != 1 && m.cols != 1)) {
    throw Error(name, "line " + std::to_string(node.line) + ": " + what + " must be 3x1, not " +
                          std::to_string(m.rows) + "x" + std::to_string(m.cols));
  }
  return {m.data[0], m.data[1], m.data[2]};
}

const YamlNode& RequireKey(const YamlNode& map, const char* key, const std::string& name,
                           const std::string& what) {
  const YamlNode* node = map.Find(key);
  if (!node) {
    throw Error(name, "line " + std::to_string(map.line) + ": " + what + ": missing '" + key + "'");
  }
  return *node;
}

Camera ReadYamlCamera(const YamlNode& node, const std::string& name, int index) {
  const std::string at = "line " + std::to_string(node.line) + ": ";
  if (!node.IsMap()) {
    throw Error(name,
                at + "camera " + std::to_string(index) + " must be a map of name, image_size, ...");
  }
  Camera c;
  c.name = YamlString(RequireKey(node, "name", name, "camera " + std::to_string(index)), name,
                      "camera name");
  const std::string what = "camera '" + c.name + "'";
  const YamlNode& size = RequireKey(node, "image_size", name, what);
  if (!size.IsSequence() || size.items.size() != 2) {
    throw Error(name, "line " + std::to_string(size.line) + ": " + what +
                          ": image_size must be [width, height]");
  }
  const int64_t w = YamlInteger(size.items[0], name, what + ": image width");
  const int64_t h = YamlInteger(size.items[1], name, what + ": image height");
  c.width = static_cast<int>(std::clamp<int64_t>(w, -1, kMaxImageSide + 1));
  c.height = static_cast<int>(std::clamp<int64_t>(h, -1, kMaxImageSide + 1));

  const YamlNode& k_node = RequireKey(node, "camera_matrix", name, what);
  const YamlMatrix k = ReadYamlMatrix(k_node, name, what + ": camera_matrix");
  if (k.data.size() != 9 || !(k.rows == 3 || k.rows == 1)) {
    throw Error(name, "line " + std::to_string(k_node.line) + ": " + what +
                          ": camera_matrix must be 3x3, not " + std::to_string(k.rows) + "x" +
                          std::to_string(k.cols));
  }
  if (k.data[1] != 0 || k.data[3] != 0 || k.data[6] != 0 || k.data[7] != 0 || k.data[8] != 1) {
    throw Error(name, "line " + std::to_string(k_node.line) + ": " + what +
                          ": camera_matrix must be [fx 0 cx; 0 fy cy; 0 0 1] (no skew)");
  }
  c.fx = k.data[0];
  c.cx = k.data[2];
  c.fy = k.data[4];
  c.cy = k.data[5];

  const YamlNode& d_node = RequireKey(node, "dist_coeffs", name, what);
  const YamlMatrix d = ReadYamlMatrix(d_node, name, what + ": dist_coeffs");
  if (d.rows > 1 && d.cols > 1) {
    throw Error(name, "line " + std::to_string(d_node.line) + ": " + what +
                          ": dist_coeffs must be one row or one column");
  }
  c.dist = d.data;
  const Eigen::Vector3d rvec = ReadYamlVector3(RequireKey(node, "rvec_cam_from_world", name, what),
                                               name, what + ": rvec_cam_from_world");
  const Eigen::Vector3d tvec = ReadYamlVector3(RequireKey(node, "tvec_cam_from_world", name, what),
                                               name, what + ": tvec_cam_from_world");
  c.cam_from_world = Rigid3d::FromRvecTvec(rvec, tvec);
  if (const YamlNode* rms = node.Find("rms_px"))
    c.rms_px = YamlNumber(*rms, name, what + ": rms_px");
  if (c.rms_px < 0) c.rms_px = -1.0;  // any negative value means "unknown"
  CheckCamera(c, name, at);
  return c;
}

// ---- TOML ----

std::vector<double> TomlNumbers(const TomlValue& v, const std::string& name,
                                const std::string& what) {
  if (v.kind != TomlValue::Kind::kArray) {
    throw Error(name, "line " + std::to_string(v.line) + ": " + what + " must be an array");
  }
  std::vector<double> out;
  for (const TomlValue& x : v.array) {
    if (!x.IsNumber()) {
      throw Error(name, "line " + std::to_string(x.line) + ": " + what + " must hold numbers");
    }
    out.push_back(x.AsDouble());
  }
  return out;
}

const TomlValue& RequireToml(const TomlTable& t, const char* key, const std::string& name,
                             const std::string& what) {
  const TomlValue* v = t.Find(key);
  if (!v) {
    throw Error(name, "line " + std::to_string(t.line) + ": " + what + ": missing '" + key + "'");
  }
  return *v;
}

Camera ReadTomlCamera(const TomlTable& t, const std::string& name) {
  const std::string at = "line " + std::to_string(t.line) + ": ";
  Camera c;
  const TomlValue& name_value = RequireToml(t, "name", name, "[" + t.name + "]");
  if (name_value.kind != TomlValue::Kind::kString) {
    throw Error(name, at + "[" + t.name + "]: name must be a string");
  }
  c.name = name_value.string;
  const std::string what = "camera '" + c.name + "'";
  if (const TomlValue* fisheye = t.Find("fisheye")) {
    if (fisheye->kind != TomlValue::Kind::kBool) {
      throw Error(name, "line " + std::to_string(fisheye->line) + ": " + what +
                            ": fisheye must be true or false");
    }
    if (fisheye->boolean) {
      throw Error(name, "line " + std::to_string(fisheye->line) + ": " + what +
                            ": fisheye = true, but HingeLab supports only the pinhole model; "
                            "recalibrate without the fisheye option");
    }
  }
  const TomlValue& size_value = RequireToml(t, "size", name, what);
  const std::vector<double> size = TomlNumbers(size_value, name, what + ": size");
  if (size.size() != 2 || size[0] != std::floor(size[0]) || size[1] != std::floor(size[1])) {
    throw Error(name, "line " + std::to_string(size_value.line) + ": " + what +
                          ": size must be [width, height] in whole pixels");
  }
  c.width = static_cast<int>(std::clamp<double>(size[0], -1, kMaxImageSide + 1));
  c.height = static_cast<int>(std::clamp<double>(size[1], -1, kMaxImageSide + 1));

  const TomlValue& matrix = RequireToml(t, "matrix", name, what);
  std::vector<double> k;
  if (matrix.kind == TomlValue::Kind::kArray && matrix.array.size() == 3) {
    for (const TomlValue& row : matrix.array) {
      const std::vector<double> r = TomlNumbers(row, name, what + ": matrix row");
      if (r.size() != 3) break;
      k.insert(k.end(), r.begin(), r.end());
    }
  }
  if (k.size() != 9) {
    throw Error(name, "line " + std::to_string(matrix.line) + ": " + what +
                          ": matrix must be [[fx, 0, cx], [0, fy, cy], [0, 0, 1]]");
  }
  if (k[1] != 0 || k[3] != 0 || k[6] != 0 || k[7] != 0 || k[8] != 1) {
    throw Error(name, "line " + std::to_string(matrix.line) + ": " + what +
                          ": matrix must be [[fx, 0, cx], [0, fy, cy], [0, 0, 1]] (no skew)");
  }
  c.fx = k[0];
  c.cx = k[2];
  c.fy = k[4];
  c.cy = k[5];
  const TomlValue& dist = RequireToml(t, "distortions", name, what);
  c.dist = TomlNumbers(dist, name, what + ": distortions");
  if (c.dist.empty()) {
    throw Error(name, "line " + std::to_string(dist.line) + ": " + what +
                          ": distortions is empty; write [0.0, 0.0, 0.0, 0.0, 0.0] for none");
  }
  const auto vector3 = [&](const char* key) {
    const TomlValue& v = RequireToml(t, key, name, what);
    const std::vector<double> x = TomlNumbers(v, name, what + ": " + key);
    if (x.size() != 3) {
      throw Error(
          name, "line " + std::to_string(v.line) + ": " + what + ": " + key + " must be 3 numbers");
    }
    return Eigen::Vector3d(x[0], x[1], x[2]);
  };
  const Eigen::Vector3d rvec = vector3("rotation");
  const Eigen::Vector3d tvec = vector3("translation");
  if (!rvec.allFinite()) throw Error(name, at + what + ": rotation must be finite");
  c.cam_from_world = Rigid3d::FromRvecTvec(rvec, tvec);
  if (const TomlValue* rms = t.Find("rms_px")) {
    if (!rms->IsNumber()) throw Error(name, at + what + ": rms_px must be a number");
    c.rms_px = rms->AsDouble();
    if (c.rms_px < 0) c.rms_px = -1.0;  // any negative value means "unknown"
  }
  CheckCamera(c, name, at);
  return c;
}

std::string TomlArray(const std::vector<double>& v) {
  std::string s = "[";
  for (double x : v) s += " " + TomlFloat(x) + ",";
  return s + "]";
}

}  // namespace

const Camera* Rig::Find(std::string_view name) const {
  for (const Camera& c : cameras) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Camera* Rig::Find(std::string_view name) {
  for (Camera& c : cameras) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Camera& Rig::Require(std::string_view name) const {
  if (const Camera* c = Find(name)) return *c;
  std::string list;
  for (const Camera& c : cameras) list += (list.empty() ? "" : ", ") + c.name;
  throw Error(std::string(name), "no such camera in the rig; its cameras are: " +
                                     (list.empty() ? std::string("(none)") : list));
}

Rig ParseRigYaml(std::string_view text, const std::string& name) {
  const YamlNode root = ParseYamlLite(text, name);
  if (!root.IsMap()) throw Error(name, "not a HingeLab rig: expected 'format: hingelab-rig-1'");
  const YamlNode* format = root.Find("format");
  if (!format || !format->IsScalar() || format->scalar != kYamlFormat) {
    throw Error(
        name, std::string("not a HingeLab rig: expected 'format: ") + kYamlFormat + "' at the top");
  }
  Rig rig;
  if (const YamlNode* adjusted = root.Find("adjusted")) {
    rig.adjusted = YamlInteger(*adjusted, name, "adjusted (0 or 1)") != 0;
  }
  if (const YamlNode* error = root.Find("error_px"))
    rig.error_px = YamlNumber(*error, name, "error_px");
  if (rig.error_px < 0) rig.error_px = -1.0;
  const YamlNode* cameras = root.Find("cameras");
  if (!cameras || !cameras->IsSequence() || cameras->items.empty()) {
    throw Error(name, "needs a 'cameras' list with at least one camera");
  }
  for (size_t i = 0; i < cameras->items.size(); ++i) {
    Camera c = ReadYamlCamera(cameras->items[i], name, static_cast<int>(i));
    CheckUniqueName(rig, c, name, cameras->items[i].line);
    rig.cameras.push_back(std::move(c));
  }
  return rig;
}

std::string SerializeRigYaml(const Rig& rig) {
  CheckRig(rig, "rig");
  cv::FileStorage fs(
      ".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY | cv::FileStorage::FORMAT_YAML);
  fs << "format" << kYamlFormat;
  fs << "adjusted" << (rig.adjusted ? 1 : 0);
  fs << "error_px" << rig.error_px;
  fs << "cameras"
     << "[";
  for (const Camera& c : rig.cameras) {
    const Eigen::Vector3d r = c.cam_from_world.Rvec();
    const Eigen::Vector3d& t = c.cam_from_world.translation;
    fs << "{";
    fs << "name" << c.name;
    fs << "image_size" << std::vector<int>{c.width, c.height};
    fs << "camera_matrix" << c.CameraMatrix();
    if (c.dist.empty()) {
      fs << "dist_coeffs"
         << "["
         << "]";
    } else {
      fs << "dist_coeffs" << c.DistCoeffs();
    }
    fs << "rvec_cam_from_world" << (cv::Mat_<double>(3, 1) << r.x(), r.y(), r.z());
    fs << "tvec_cam_from_world" << (cv::Mat_<double>(3, 1) << t.x(), t.y(), t.z());
    fs << "rms_px" << c.rms_px;
    fs << "}";
  }
  fs << "]";
  return fs.releaseAndGetString();
}

Rig ParseRigToml(std::string_view text, const std::string& name) {
  const TomlDocument doc = ParseToml(text, name);
  Rig rig;
  for (size_t i = 1; i < doc.tables.size(); ++i) {
    const TomlTable& t = doc.tables[i];
    if (t.name == "metadata") {
      if (const TomlValue* adjusted = t.Find("adjusted")) {
        if (adjusted->kind != TomlValue::Kind::kBool) {
          throw Error(name, "line " + std::to_string(adjusted->line) +
                                ": metadata adjusted must be true or false");
        }
        rig.adjusted = adjusted->boolean;
      }
      if (const TomlValue* error = t.Find("error")) {
        if (!error->IsNumber()) {
          throw Error(name,
                      "line " + std::to_string(error->line) + ": metadata error must be a number");
        }
        rig.error_px = error->AsDouble();
        if (rig.error_px < 0) rig.error_px = -1.0;
      }
      continue;
    }
    Camera c = ReadTomlCamera(t, name);
    CheckUniqueName(rig, c, name, t.line);
    rig.cameras.push_back(std::move(c));
  }
  if (rig.cameras.empty()) throw Error(name, "no camera tables ([cam_0], ...) in the file");
  return rig;
}

std::string SerializeRigToml(const Rig& rig) {
  CheckRig(rig, "rig");
  std::string out;
  for (size_t i = 0; i < rig.cameras.size(); ++i) {
    const Camera& c = rig.cameras[i];
    const Eigen::Vector3d r = c.cam_from_world.Rvec();
    const Eigen::Vector3d& t = c.cam_from_world.translation;
    // anipose and Pose2Sim expect k1 k2 p1 p2 k3 even for an ideal lens.
    const std::vector<double> dist = c.dist.empty() ? std::vector<double>(5, 0.0) : c.dist;
    out += "[cam_" + std::to_string(i) + "]\n";
    out += "name = " + TomlString(c.name) + "\n";
    out +=
        "size = " + TomlArray({static_cast<double>(c.width), static_cast<double>(c.height)}) + "\n";
    out += "matrix = [ " + TomlArray({c.fx, 0.0, c.cx}) + ", " + TomlArray({0.0, c.fy, c.cy}) +
           ", " + TomlArray({0.0, 0.0, 1.0}) + ",]\n";
    out += "distortions = " + TomlArray(dist) + "\n";
    out += "rotation = " + TomlArray({r.x(), r.y(), r.z()}) + "\n";
    out += "translation = " + TomlArray({t.x(), t.y(), t.z()}) + "\n";
    if (c.rms_px >= 0) out += "rms_px = " + TomlFloat(c.rms_px) + "\n";
    out += "\n";
  }
  out += "[metadata]\n";
  out += std::string("adjusted = ") + (rig.adjusted ? "true" : "false") + "\n";
  if (rig.error_px >= 0) out += "error = " + TomlFloat(rig.error_px) + "\n";
  return out;
}

Rig ReadRig(const std::filesystem::path& path) {
  const std::string ext = LowerExtension(path);
  const std::string name = path.string();
  if (ext != "yml" && ext != "yaml" && ext != "toml") {
    throw Error(name, "unknown rig file extension '." + ext + "'; use .yml, .yaml or .toml");
  }
  const std::string text = ReadFileText(path, uint64_t{16} << 20);
  return ext == "toml" ? ParseRigToml(text, name) : ParseRigYaml(text, name);
}

void WriteRig(const std::filesystem::path& path, const Rig& rig) {
  const std::string ext = LowerExtension(path);
  const std::string name = path.string();
  if (ext != "yml" && ext != "yaml" && ext != "toml") {
    throw Error(name, "unknown rig file extension '." + ext + "'; use .yml, .yaml or .toml");
  }
  try {
    WriteFileAtomic(path, ext == "toml" ? SerializeRigToml(rig) : SerializeRigYaml(rig));
  } catch (const Error& e) {
    if (e.where() == "rig") throw Error(name, e.message());
    throw;
  }
}

}  // namespace hl
