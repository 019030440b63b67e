#include "core/trc.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"

namespace hl {
namespace {

// A TRC parsed from a few bytes must not allocate gigabytes: a dense table
// may hold at most this many cells more than the text has bytes. Real files
// spend at least three bytes per cell (three tabs), so they never get near.
constexpr uint64_t kExtraCellBudget = uint64_t{1} << 22;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Tab-separated when the line has a tab (so empty fields mean missing
// samples and labels may hold spaces), otherwise whitespace-separated.
void SplitFields(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find('\t') != std::string_view::npos) {
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      fields->push_back(
          Trim(line.substr(start, tab == std::string_view::npos ? tab : tab - start)));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    return;
  }
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\r') ++i;
    if (i > start) fields->push_back(line.substr(start, i - start));
  }
}

bool ParseDouble(std::string_view s, double* v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), *v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

struct Lines {
  std::vector<std::string_view> text;  // without the '\n'
};

Lines SplitLines(std::string_view text) {
  Lines lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      if (start < text.size()) lines.text.push_back(text.substr(start));
      break;
    }
    lines.text.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string LineWhere(const std::string& name, size_t index) {
  return name + ":" + std::to_string(index + 1);
}

// How many file units make a metre.
double UnitsPerMetre(std::string_view units, const std::string& where, std::string* canonical) {
  std::string u(units);
  std::transform(u.begin(), u.end(), u.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (u.empty() || u == "mm" || u == "millimeters" || u == "millimetres") {
    *canonical = "mm";
    return 1000.0;
  }
  if (u == "cm") {
    *canonical = "cm";
    return 100.0;
  }
  if (u == "m" || u == "meters" || u == "metres") {
    *canonical = "m";
    return 1.0;
  }
  throw Error(where, "unknown Units '" + std::string(units) + "'; TRC units must be mm, cm or m");
}

// Rate from the Time column when the header gives none.
double RateFromTimes(const std::vector<double>& times) {
  if (times.size() < 2) return 0.0;
  const double span = times.back() - times.front();
  if (!(span > 0) || !std::isfinite(span)) return 0.0;
  return static_cast<double>(times.size() - 1) / span;
}

}  // namespace

Recording ParseTrc(std::string_view text, const std::string& name) {
  const Lines lines = SplitLines(text);
  const auto& L = lines.text;
  std::vector<std::string_view> fields;

  if (L.empty() || Trim(L[0]).substr(0, 12) != "PathFileType") {
    throw Error(name, "not a TRC file: the first line should start with 'PathFileType'");
  }
  if (L.size() < 4) {
    throw Error(name,
                "TRC header is cut short: it needs the PathFileType, DataRate names, their "
                "values and the Frame# label lines");
  }
  // Header names and values, matched by position; absent trailing values are
  // left empty.
  std::vector<std::string_view> names;
  SplitFields(L[1], &names);
  if (std::find(names.begin(), names.end(), "DataRate") == names.end()) {
    throw Error(LineWhere(name, 1), "expected the header names line starting with 'DataRate'");
  }
  SplitFields(L[2], &fields);
  auto header_value = [&](std::string_view key) -> std::string_view {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == key) return i < fields.size() ? fields[i] : std::string_view();
    }
    return {};
  };
  // Kept as text: `fields` is reused for the label and data lines below.
  const std::string header_frames_text(header_value("NumFrames"));
  Recording rec;
  rec.format = "trc";
  const double units_per_metre =
      UnitsPerMetre(header_value("Units"), LineWhere(name, 2), &rec.units);
  double rate_hz = 0.0;
  for (std::string_view key : {"DataRate", "CameraRate", "OrigDataRate"}) {
    double r = 0.0;
    if (ParseDouble(header_value(key), &r) && std::isfinite(r) && r > 0) {
      rate_hz = r;
      break;
    }
  }
  double orig_start = 1.0;
  if (!ParseDouble(header_value("OrigDataStartFrame"), &orig_start) ||
      !(std::fabs(orig_start) < 1e15)) {
    orig_start = 1.0;
  }

  // Labels: every non-empty field after Frame# and Time.
  SplitFields(L[3], &fields);
  if (fields.empty() || fields[0].substr(0, 6) != "Frame#") {
    throw Error(LineWhere(name, 3), "expected the label line starting with 'Frame#'");
  }
  std::vector<std::string> labels;
  std::unordered_set<std::string> seen;
  for (size_t i = 2; i < fields.size(); ++i) {
    if (fields[i].empty()) continue;
    std::string label(fields[i]);
    if (!seen.insert(label).second) {
      throw Error(LineWhere(name, 3), "label '" + label + "' appears twice; labels must be unique");
    }
    labels.push_back(std::move(label));
  }

  // The X1 Y1 Z1 line is optional; data rows follow, blank lines skipped.
  size_t first_data = 4;
  if (first_data < L.size()) {
    SplitFields(L[first_data], &fields);
    for (std::string_view f : fields) {
      if (f.empty()) continue;
      if (f.front() == 'X' || f.front() == 'x') ++first_data;
      break;
    }
  }
  std::vector<size_t> data_lines;
  for (size_t i = first_data; i < L.size(); ++i) {
    if (!IsBlank(L[i])) data_lines.push_back(i);
  }
  if (data_lines.size() > static_cast<size_t>(INT_MAX)) {
    throw Error(name, "has more data rows than a recording can hold");
  }
  // Fewer rows than the header's NumFrames and no end of line after the last
  // one: the file was cut (a copy or an export that stopped) mid-row, and that
  // row's last number may be cut short. A file that ends cleanly is read even
  // when its NumFrames disagrees, as some exporters leave it.
  const bool ends_mid_line = !text.empty() && text.back() != '\n';
  if (double header_frames = 0.0;
      ends_mid_line && ParseDouble(header_frames_text, &header_frames) && header_frames > 0 &&
      static_cast<double>(data_lines.size()) < header_frames) {
    throw Error(name, "is cut short: the header says " + header_frames_text +
                          " frames, the file holds " + std::to_string(data_lines.size()) +
                          " rows; copy or export it again");
  }
  const uint64_t cells = static_cast<uint64_t>(data_lines.size()) * labels.size();
  if (cells > text.size() + kExtraCellBudget) {
    throw Error(name,
                std::to_string(data_lines.size()) + " rows x " + std::to_string(labels.size()) +
                    " markers is far more than the file's text holds; is the label line right?");
  }

  const int num_frames = static_cast<int>(data_lines.size());
  rec.points = Trajectories(labels, num_frames, rate_hz);
  std::vector<double> times;
  const int num_labels = static_cast<int>(labels.size());
  for (int f = 0; f < num_frames; ++f) {
    const size_t li = data_lines[f];
    SplitFields(L[li], &fields);
    auto bad = [&](const std::string& what) { return Error(LineWhere(name, li), what); };
    if (f == 0) {
      double frame_number = 0.0;
      if (!fields.empty() && ParseDouble(fields[0], &frame_number)) {
        if (!(std::fabs(frame_number) < 1e15) || frame_number != std::floor(frame_number)) {
          throw bad("Frame# '" + std::string(fields[0]) + "' is not a whole frame number");
        }
      } else {
        frame_number = orig_start;
      }
      rec.points.set_first_frame(static_cast<int64_t>(frame_number) - 1);
    }
    double t = 0.0;
    if (fields.size() > 1 && ParseDouble(fields[1], &t) && std::isfinite(t)) times.push_back(t);
    Sample* row = rec.points.row(f);
    for (int l = 0; l < num_labels; ++l) {
      const size_t base = 2 + 3 * static_cast<size_t>(l);
      double xyz[3];
      bool present = true;
      for (int k = 0; k < 3; ++k) {
        const std::string_view v = base + k < fields.size() ? fields[base + k] : std::string_view();
        if (v.empty()) {
          present = false;
          continue;
        }
        if (!ParseDouble(v, &xyz[k])) {
          throw bad("marker '" + labels[l] + "': '" + std::string(v) +
                    "' is not a number; fix or empty the field");
        }
        // NaN is how some exporters mark a gap.
        if (!std::isfinite(xyz[k])) present = false;
      }
      if (!present) continue;
      Sample& s = row[l];
      // Dividing (not multiplying by 0.001) gives back exactly the metres a
      // writer multiplied by 1000 far more often.
      s.position_m = Eigen::Vector3d(xyz[0], xyz[1], xyz[2]) / units_per_metre;
      if (!s.position_m.allFinite()) continue;
      s.residual_px = 0.0f;
      s.n_cameras = 0;
    }
  }
  if (rate_hz == 0.0) rec.points.set_rate_hz(RateFromTimes(times));
  return rec;
}

Recording ReadTrc(const std::filesystem::path& path) {
  const std::string text = ReadFileText(path);
  return ParseTrc(text, path.string());
}

namespace {

std::string SerializeTrcNamed(const Recording& recording, const std::string& file_name) {
  const Trajectories& tr = recording.points;
  const int n_labels = tr.num_labels();
  for (int l = 0; l < n_labels; ++l) {
    const std::string& label = tr.labels()[l];
    if (Trim(label).empty() || Trim(label) != label ||
        label.find_first_of("\t\r\n") != std::string::npos) {
      throw Error("label '" + label + "'",
                  "cannot be written to TRC: labels must be non-empty, without tabs, line breaks "
                  "or surrounding spaces");
    }
  }
  const std::string rate = FormatDouble(tr.rate_hz());
  std::string out;
  out.reserve(256 +
              static_cast<size_t>(tr.num_frames()) * (16 + 40 * static_cast<size_t>(n_labels)));
  out += "PathFileType\t4\t(X/Y/Z)\t" + file_name + "\n";
  out +=
      "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\t"
      "OrigNumFrames\n";
  out += rate + "\t" + rate + "\t" + std::to_string(tr.num_frames()) + "\t" +
         std::to_string(n_labels) + "\tmm\t" + rate + "\t" + std::to_string(tr.first_frame() + 1) +
         "\t" + std::to_string(tr.num_frames()) + "\n";
  out += "Frame#\tTime";
  for (const auto& label : tr.labels()) out += "\t" + label + "\t\t";
  out += "\n\t";
  for (int l = 1; l <= n_labels; ++l) {
    const std::string k = std::to_string(l);
    out += "\tX" + k + "\tY" + k + "\tZ" + k;
  }
  out += "\n\n";
  for (int f = 0; f < tr.num_frames(); ++f) {
    out += std::to_string(tr.first_frame() + 1 + f);
    out += '\t';
    out += FormatDouble(tr.time_s(f));
    const Sample* row = tr.row(f);
    for (int l = 0; l < n_labels; ++l) {
      const Eigen::Vector3d mm = row[l].position_m * 1000.0;
      if (!row[l].valid() || !mm.allFinite()) {
        out += "\t\t\t";
        continue;
      }
      for (int k = 0; k < 3; ++k) {
        out += '\t';
        out += FormatDouble(mm[k]);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string SerializeTrc(const Recording& recording) {
  return SerializeTrcNamed(recording, "hingelab.trc");
}

void WriteTrc(const std::filesystem::path& path, const Recording& recording) {
  std::string text;
  try {
    std::string file_name = path.filename().string();
    if (file_name.find_first_of("\t\r\n") != std::string::npos) file_name = "hingelab.trc";
    text = SerializeTrcNamed(recording, file_name);
  } catch (const Error& e) {
    throw Error(path.string(), e.what());
  }
  WriteFileAtomic(path, text);
}

}  // namespace hl
