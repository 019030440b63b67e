#include "core/recording_summary.h"

#include <cstdio>

#include "core/file_util.h"

namespace hl {

Json SummarizeRecording(const Recording& recording, const std::string& path) {
  const Trajectories& tr = recording.points;
  Json j = Json::MakeObject();
  // A recording made in memory has no format yet; the file it goes to does.
  j["format"] = recording.format.empty() ? LowerExtension(path) : recording.format;
  j["points"] = tr.num_labels();
  j["frames"] = tr.num_frames();
  j["rate_hz"] = tr.rate_hz();
  j["first_frame"] = static_cast<int64_t>(tr.first_frame() + 1);
  j["units"] = recording.units;
  j["labels"] = Json::ArrayOf(tr.labels());
  j["analog_channels"] = recording.analog.num_channels();
  return j;
}

std::string RecordingSummaryText(const Json& summary, const std::string& path) {
  const double rate = summary.at("rate_hz").number();
  const double frames = summary.at("frames").number();
  std::string out = path + ": " + summary.at("format").str() + " recording\n";
  out += "  points:          " + FormatDouble(summary.at("points").number()) + "\n";
  out += "  frames:          " + FormatDouble(frames);
  if (rate > 0) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " (%.3f s)", frames / rate);
    out += buf;
  }
  out += "\n";
  out += "  rate:            " + (rate > 0 ? FormatDouble(rate) + " Hz" : std::string("unknown")) +
         "\n";
  out += "  first frame:     " + FormatDouble(summary.at("first_frame").number()) + " (1-based)\n";
  out += "  units in file:   " + summary.at("units").str() + "\n";
  out += "  analog channels: " + FormatDouble(summary.at("analog_channels").number()) + "\n";
  out += "  labels:";
  // Wrapped so a 50-label recording stays readable in a terminal.
  size_t column = 9;
  for (const Json& label : summary.at("labels").array()) {
    const std::string& s = label.str();
    if (column + 1 + s.size() > 100) {
      out += "\n   ";
      column = 3;
    }
    out += " " + s;
    column += 1 + s.size();
  }
  out += "\n";
  return out;
}

}  // namespace hl
