#include "core/csv_recording.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"

namespace hl {
namespace {

constexpr std::string_view kHeader = "frame,time_s,label,x_m,y_m,z_m,residual_px,n_cameras";
// Frames missing from the CSV still take a row in the dense table; allow this
// many cells beyond the text's byte count so a tiny file cannot ask for
// gigabytes with one huge frame number.
constexpr uint64_t kExtraCellBudget = uint64_t{1} << 22;

std::string LineWhere(const std::string& name, size_t line_number) {
  return name + ":" + std::to_string(line_number);
}

// One CSV line into fields; a field may be double-quoted with "" for a quote.
bool SplitCsv(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
    } else {
      const size_t comma = line.find(',', i);
      const size_t end = comma == std::string_view::npos ? line.size() : comma;
      field.assign(line.substr(i, end - i));
      i = end;
    }
    fields->push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

template <typename T>
bool ParseNumber(std::string_view s, T* v) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), *v);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

struct Row {
  int64_t frame = 0;
  double time_s = 0.0;
  int label = -1;
  bool has_position = false;
  Eigen::Vector3d position_m = Eigen::Vector3d::Zero();
  float residual_px = -1.0f;
  uint8_t n_cameras = 0;
  size_t line_number = 0;
};

// True when every time is exactly frame / rate, as our writer computes it.
bool ReproducesTimes(double rate, const std::vector<std::pair<int64_t, double>>& frame_times) {
  if (!(rate > 0) || !std::isfinite(rate)) return false;
  for (const auto& [f, t] : frame_times) {
    if (static_cast<double>(f) / rate != t) return false;
  }
  return true;
}

// The CSV stores times, not the rate. Our writer's times are exactly
// frame / rate, so the shortest decimal rate that reproduces every time
// bit for bit is the rate it was written with; other writers get the rate
// from the time span.
double RecoverRate(const std::vector<std::pair<int64_t, double>>& frame_times) {
  if (frame_times.empty()) return 0.0;
  double estimate = 0.0;
  const auto& [f0, t0] = frame_times.front();
  const auto& [f1, t1] = frame_times.back();
  if (frame_times.size() >= 2 && t1 > t0) {
    estimate = static_cast<double>(f1 - f0) / (t1 - t0);
  } else if (t0 > 0 && f0 > 0) {
    estimate = static_cast<double>(f0) / t0;
  }
  if (!(estimate > 0) || !std::isfinite(estimate)) return 0.0;
  double rounded_close = 0.0;
  for (int digits = 1; digits <= 17; ++digits) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*g", digits, estimate);
    const double candidate = std::strtod(buf, nullptr);
    if (ReproducesTimes(candidate, frame_times)) return candidate;
    if (rounded_close == 0.0 && std::fabs(candidate - estimate) <= 1e-9 * estimate) {
      rounded_close = candidate;
    }
  }
  // Rates without a short decimal form (30000/1001): the last frame divided
  // by its time lands within an ulp or two of the rate.
  if (f1 != 0 && t1 != 0) {
    double below = static_cast<double>(f1) / t1, above = below;
    for (int step = 0; step <= 3; ++step) {
      if (ReproducesTimes(below, frame_times)) return below;
      if (ReproducesTimes(above, frame_times)) return above;
      below = std::nextafter(below, 0.0);
      above = std::nextafter(above, HUGE_VAL);
    }
  }
  return rounded_close > 0 ? rounded_close : estimate;
}

std::string FormatFloat(float v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

}  // namespace

Recording ParseCsvRecording(std::string_view text, const std::string& name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  std::vector<std::string> labels;
  std::unordered_map<std::string, int> label_index;
  std::vector<Row> rows;
  std::vector<std::string> fields;
  size_t line_number = 0;
  size_t start = 0;
  bool saw_header = false;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!saw_header) {
      if (line != kHeader) {
        throw Error(LineWhere(name, line_number),
                    "expected the header '" + std::string(kHeader) + "'; is this a HingeLab CSV?");
      }
      saw_header = true;
      continue;
    }
    if (TrimSpaces(line).empty()) continue;
    auto bad = [&](const std::string& what) { return Error(LineWhere(name, line_number), what); };
    if (!SplitCsv(line, &fields)) throw bad("a quoted field is not closed properly");
    if (fields.size() != 8) {
      throw bad("has " + std::to_string(fields.size()) + " fields; every row needs 8 (" +
                std::string(kHeader) + ")");
    }
    Row row;
    row.line_number = line_number;
    if (!ParseNumber(fields[0], &row.frame) || row.frame < -(int64_t{1} << 50) ||
        row.frame > (int64_t{1} << 50)) {
      throw bad("frame '" + fields[0] + "' is not a whole frame number");
    }
    if (!ParseNumber(fields[1], &row.time_s) || !std::isfinite(row.time_s)) {
      throw bad("time_s '" + fields[1] + "' is not a number");
    }
    if (fields[2].empty()) throw bad("the label is empty");
    auto [it, inserted] = label_index.emplace(fields[2], static_cast<int>(labels.size()));
    if (inserted) labels.push_back(fields[2]);
    row.label = it->second;
    int n_numbers = 0;
    for (int k = 0; k < 3; ++k) {
      const std::string& v = fields[3 + k];
      if (TrimSpaces(v).empty()) continue;
      if (!ParseNumber(v, &row.position_m[k])) {
        throw bad("coordinate '" + v + "' is not a number (metres)");
      }
      ++n_numbers;
    }
    if (n_numbers != 0 && n_numbers != 3) {
      throw bad("x_m, y_m and z_m must be all given or all empty (a missing sample)");
    }
    row.has_position = n_numbers == 3 && row.position_m.allFinite();
    if (!TrimSpaces(fields[6]).empty()) {
      // Read as float (not via double) so the writer's shortest float text
      // comes back bit for bit.
      float r = 0.0f;
      if (!ParseNumber(fields[6], &r) || !std::isfinite(r)) {
        throw bad("residual_px '" + fields[6] + "' is not a number");
      }
      row.residual_px = r;
    } else {
      row.residual_px = 0.0f;
    }
    if (!row.has_position) row.residual_px = -1.0f;
    int n_cameras = 0;
    if (!TrimSpaces(fields[7]).empty() &&
        (!ParseNumber(fields[7], &n_cameras) || n_cameras < 0 || n_cameras > 255)) {
      throw bad("n_cameras '" + fields[7] + "' is not a whole number from 0 to 255");
    }
    row.n_cameras = row.has_position ? static_cast<uint8_t>(n_cameras) : 0;
    if (!rows.empty() && row.frame < rows.back().frame) {
      throw bad("frame " + std::to_string(row.frame) + " comes after frame " +
                std::to_string(rows.back().frame) + "; rows must be in frame order");
    }
    rows.push_back(std::move(row));
  }
  if (!saw_header) {
    throw Error(name, "is empty; a recording CSV starts with '" + std::string(kHeader) + "'");
  }

  Recording rec;
  rec.format = "csv";
  rec.units = "m";
  if (rows.empty()) {
    rec.points = Trajectories(labels, 0, 0.0);
    return rec;
  }
  const int64_t first = rows.front().frame;
  const uint64_t span = static_cast<uint64_t>(rows.back().frame - first) + 1;
  if (span > static_cast<uint64_t>(INT_MAX) ||
      span * labels.size() > text.size() + kExtraCellBudget) {
    throw Error(name, "frames " + std::to_string(first) + " to " +
                          std::to_string(rows.back().frame) + " with " +
                          std::to_string(labels.size()) +
                          " labels need far more rows than the file has; check the frame column");
  }
  std::vector<std::pair<int64_t, double>> frame_times;
  for (const Row& r : rows) {
    if (frame_times.empty() || frame_times.back().first != r.frame) {
      frame_times.emplace_back(r.frame, r.time_s);
    }
  }
  rec.points = Trajectories(labels, static_cast<int>(span), RecoverRate(frame_times));
  rec.points.set_first_frame(first);
  // Which (frame, label) cells a row has filled, to reject duplicates.
  std::vector<bool> filled(span * labels.size(), false);
  for (const Row& r : rows) {
    const int f = static_cast<int>(r.frame - first);
    const size_t cell = static_cast<size_t>(f) * labels.size() + r.label;
    if (filled[cell]) {
      throw Error(
          LineWhere(name, r.line_number),
          "label '" + labels[r.label] + "' appears twice in frame " + std::to_string(r.frame));
    }
    filled[cell] = true;
    Sample& s = rec.points.at(f, r.label);
    if (r.has_position) s.position_m = r.position_m;
    s.residual_px = r.residual_px;
    s.n_cameras = r.n_cameras;
  }
  return rec;
}

Recording ReadCsvRecording(const std::filesystem::path& path) {
  const std::string text = ReadFileText(path);
  return ParseCsvRecording(text, path.string());
}

std::string SerializeCsvRecording(const Recording& recording) {
  const Trajectories& tr = recording.points;
  std::vector<std::string> label_fields;
  for (const auto& label : tr.labels()) {
    if (label.empty() || label.find_first_of("\r\n") != std::string::npos) {
      throw Error("label '" + label + "'",
                  "cannot be written to CSV: labels must be non-empty and on one line");
    }
    if (label.find_first_of(",\"") == std::string::npos && label.front() != ' ' &&
        label.back() != ' ') {
      label_fields.push_back(label);
      continue;
    }
    std::string quoted = "\"";
    for (char c : label) {
      if (c == '"') quoted.push_back('"');
      quoted.push_back(c);
    }
    label_fields.push_back(quoted + "\"");
  }
  std::string out(kHeader);
  out += '\n';
  out.reserve(out.size() + static_cast<size_t>(tr.num_frames()) * tr.num_labels() * 80);
  for (int f = 0; f < tr.num_frames(); ++f) {
    const std::string frame_prefix =
        std::to_string(tr.first_frame() + f) + "," + FormatDouble(tr.time_s(f)) + ",";
    const Sample* row = tr.row(f);
    for (int l = 0; l < tr.num_labels(); ++l) {
      const Sample& s = row[l];
      out += frame_prefix;
      out += label_fields[l];
      if (s.valid() && s.position_m.allFinite() && std::isfinite(s.residual_px)) {
        for (int k = 0; k < 3; ++k) {
          out += ',';
          out += FormatDouble(s.position_m[k]);
        }
        out += ',';
        out += FormatFloat(s.residual_px);
        out += ',';
        out += std::to_string(s.n_cameras);
      } else {
        out += ",,,,-1,0";
      }
      out += '\n';
    }
  }
  return out;
}

void WriteCsvRecording(const std::filesystem::path& path, const Recording& recording) {
  std::string text;
  try {
    text = SerializeCsvRecording(recording);
  } catch (const Error& e) {
    throw Error(path.string(), e.what());
  }
  WriteFileAtomic(path, text);
}

}  // namespace hl
