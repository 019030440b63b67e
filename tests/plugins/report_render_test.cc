// The HTML drill report as a browser shows it: a take with one clean and one
// faulty rep is scored by the dowel_hinge plugin, its report is rendered by
// headless Chromium (Debian package `chromium`, installed by
// `scripts/deps.sh test`), and the screenshot must show both plots drawn over
// the shaded reps. The report must load nothing from outside: the HTML is
// checked for external references, and Chromium's own network log of the
// render must hold no request made by the page.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "core/file_util.h"
#include "core/json.h"
#include "plugins/host/drill_score.h"
#include "plugins/host/report.h"
#include "tests/plugins/synthetic_body.h"

namespace hl {
namespace {

namespace fs = std::filesystem;
using test::BodyPose;
using test::kDeg;

// report.cc's colours, as OpenCV's BGR: the rep shading, #dfd for a clean rep
// and #fdd for a faulty one, and the series stroke #246.
const cv::Vec3b kCleanShade(0xdd, 0xff, 0xdd);
const cv::Vec3b kFaultShade(0xdd, 0xdd, 0xff);
const cv::Vec3b kStroke(0x66, 0x44, 0x22);
const cv::Vec3b kThresholdInk(0x00, 0x00, 0xcc);  // the dashed threshold line, #c00
// Plot geometry of report.cc: a 900 x 160 SVG with a 30 px margin.
constexpr int kPlotWidth = 900 - 2 * 30;
constexpr int kPlotHeight = 160 - 2 * 30;
// dowel_hinge's contact_gap_m default (plugins/dowel_hinge), drawn in the gap plot.
constexpr double kContactGapM = 0.025;

fs::path FindChromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const fs::path candidate = fs::path(dirs.substr(start, colon - start)) / "chromium";
    if (colon > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return {};
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Everything in `html` that would make a browser fetch from outside the file:
// absolute or protocol-relative URLs, resource attributes that are not
// in-document (#...) or data: URIs, CSS imports and url()s, and the elements
// that load or run things. The SVG namespace name is an identifier, not a
// fetch, so that one attribute is allowed.
std::vector<std::string> ExternalReferences(const std::string& html) {
  std::string text = Lower(html);
  const std::string svg_ns = "xmlns=\"http://www.w3.org/2000/svg\"";
  for (size_t at; (at = text.find(svg_ns)) != std::string::npos;) text.erase(at, svg_ns.size());
  std::vector<std::string> found;
  auto context = [&](size_t at) { return text.substr(at, 60); };
  for (const char* scheme : {"http:", "https:", "ftp:", "ws:", "wss:", "file:"}) {
    for (size_t at = text.find(scheme); at != std::string::npos; at = text.find(scheme, at + 1)) {
      if (at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]))) {
        found.push_back(context(at));
      }
    }
  }
  for (const char* needle : {"//", "@import", "<script", "<link", "<iframe", "<object", "<embed",
                             "<base", "<img", "<video", "<audio", "<source", "<use", "<image"}) {
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      found.push_back(context(at));
    }
  }
  auto in_document = [&](size_t value) {
    while (value < text.size() && (text[value] == ' ' || text[value] == '"' ||
                                   text[value] == '\'')) {
      ++value;
    }
    return text.compare(value, 5, "data:") == 0 || text.compare(value, 1, "#") == 0;
  };
  for (const char* attr : {"src=", "href=", "srcset=", "action=", "poster=", "data=",
                           "background=", "url("}) {
    for (size_t at = text.find(attr); at != std::string::npos; at = text.find(attr, at + 1)) {
      if (!in_document(at + std::string(attr).size())) found.push_back(context(at));
    }
  }
  return found;
}

// The URLs of network requests the page made, from Chromium's --log-net-log
// file. Chromium's own background requests (updates, time, accounts) are not
// the page's: only requests whose network isolation key is the report's
// file:// site count.
std::vector<std::string> PageNetworkRequests(const Json& net_log) {
  std::vector<std::string> urls;
  for (const Json& event : net_log.at("events").array()) {
    const Json* params = event.find("params");
    if (!params || !params->is_object()) continue;
    const Json* key = params->find("network_isolation_key");
    const Json* url = params->find("url");
    if (!key || !url || !key->is_string() || !url->is_string()) continue;
    if (key->str().rfind("file://", 0) != 0) continue;
    if (url->str().rfind("file:", 0) == 0 || url->str().rfind("data:", 0) == 0) continue;
    if (std::find(urls.begin(), urls.end(), url->str()) == urls.end()) urls.push_back(url->str());
  }
  return urls;
}

struct Render {
  int status = -1;
  double seconds = 0;
  cv::Mat screenshot;
  std::string dom;
  Json net_log;
};

class ReportRender : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium not found on PATH; install the Debian package 'chromium' "
                      "(scripts/deps.sh test does)";
    }
    dir_ = fs::temp_directory_path() / ("hl_report_render_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    if (HasFailure()) {
      std::printf("kept %s for inspection\n", dir_.c_str());
    } else {
      fs::remove_all(dir_);
    }
  }

  // Screenshot, DOM and network log of `html`, rendered with networking
  // disabled as far as flags go and every host name unresolvable, so a fetch
  // the page attempts fails fast but still shows in the log.
  Render RenderHtml(const std::string& name, const std::string& html) {
    const fs::path page = dir_ / (name + ".html");
    const fs::path png = dir_ / (name + ".png");
    const fs::path dom = dir_ / (name + ".dom.html");
    const fs::path net = dir_ / (name + ".netlog.json");
    const fs::path log = dir_ / (name + ".chromium.log");
    const fs::path profile = dir_ / (name + ".profile");
    WriteFileAtomic(page, html);
    const std::string cmd =
        "timeout 60 '" + chromium_.string() +
        "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir='" + profile.string() +
        "' --window-size=1280,2000 --screenshot='" + png.string() + "' --dump-dom --log-net-log='" +
        net.string() + "' 'file://" + page.string() + "' >'" + dom.string() + "' 2>'" +
        log.string() + "'";
    Render r;
    const auto t0 = std::chrono::steady_clock::now();
    const int st = std::system(cmd.c_str());
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (fs::exists(png)) r.screenshot = cv::imread(png.string(), cv::IMREAD_COLOR);
    if (fs::exists(dom)) r.dom = ReadFileText(dom);
    if (fs::exists(net)) r.net_log = Json::Parse(ReadFileText(net), net.string());
    std::printf("%s: chromium took %.1f s\n", name.c_str(), r.seconds);
    return r;
  }

  fs::path chromium_;
  fs::path dir_;
};

// Two hinges, the second with the right knee 9 cm forward (knees_forward) and
// the dowel 4 cm off the sacrum (past contact_gap_m, 2.5 cm).
DrillScore ScoreTakeWithOneFaultyRep(std::shared_ptr<DrillPlugin>* plugin) {
  const PluginScan scan = ScanPlugins({fs::path(HL_BINARY_DIR) / "bin"});
  *plugin = scan.Find("dowel_hinge");
  if (!*plugin) return {};
  const test::BodyLayout layout;
  BodyPose good;
  good.hip_back_m = 0.22;
  good.pelvis_tilt_rad = 60 * kDeg;
  BodyPose knees = good;
  knees.knee_travel_right_m = 0.09;
  knees.gap_m = 0.04;
  test::Motion motion(100.0);
  motion.Hold(1.5).Rep(good).Rep(knees).Hold(1.0);
  const Trajectories take = test::MakeTrial(motion.poses(), 100.0, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), 100.0, layout);
  return ScoreTrial(**plugin, take, test::Segments(layout), &stat);
}

bool Near(const cv::Vec3b& a, const cv::Vec3b& b, int tolerance) {
  for (int c = 0; c < 3; ++c) {
    if (std::abs(int{a[c]} - int{b[c]}) > tolerance) return false;
  }
  return true;
}

// How much of `ink` covers a pixel that is `ink` antialiased over one of the
// plot backgrounds (white or either shade): the least-squares blend weight when
// every channel fits the blend within a few levels, else 0. Black text, grey
// rules and the other ink do not fit (for a weight of 0.3 or more).
double Coverage(const cv::Vec3b& pixel, const cv::Vec3b& ink) {
  double best = 0;
  for (const cv::Vec3b& bg : {cv::Vec3b(255, 255, 255), kCleanShade, kFaultShade}) {
    double num = 0, den = 0;
    for (int c = 0; c < 3; ++c) {
      const double d = int{ink[c]} - int{bg[c]};
      num += (int{pixel[c]} - int{bg[c]}) * d;
      den += d * d;
    }
    const double a = num / den;
    bool fits = a <= 1.05;
    for (int c = 0; c < 3; ++c) {
      fits = fits && std::abs(pixel[c] - (bg[c] + a * (int{ink[c]} - int{bg[c]}))) <= 10;
    }
    if (fits) best = std::max(best, a);
  }
  return best;
}
bool IsStroke(const cv::Vec3b& bgr) { return Coverage(bgr, kStroke) >= 0.3; }
bool IsThreshold(const cv::Vec3b& bgr) { return Coverage(bgr, kThresholdInk) >= 0.3; }

struct Band {
  int top = 0, bottom = 0;  // rows, inclusive
};

// Runs of rows holding rep shading: one per plot.
std::vector<Band> ShadedBands(const cv::Mat& img) {
  std::vector<Band> bands;
  for (int y = 0; y < img.rows; ++y) {
    int shaded = 0;
    for (int x = 0; x < img.cols; ++x) {
      const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
      shaded += Near(p, kCleanShade, 3) || Near(p, kFaultShade, 3);
    }
    if (shaded < 20) continue;
    if (!bands.empty() && bands.back().bottom == y - 1) {
      bands.back().bottom = y;
    } else {
      bands.push_back({y, y});
    }
  }
  return bands;
}

TEST(ReportRenderCheck, ExternalReferencesAreFound) {
  EXPECT_TRUE(ExternalReferences("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect fill=\"#fdd\"/>"
                                 "</svg><a href=\"#top\">x</a><p>rows: 3, profile: a</p>").empty());
  for (const char* bad :
       {"<img src=\"x.png\">", "<a href=\"https://example.com\">", "<p style=\"background:"
        "url(bg.png)\">", "<style>@import 'a.css';</style>", "<link rel=stylesheet href=a.css>",
        "<script>fetch('x')</script>", "<a href=\"//cdn.example.com/x\">",
        "<svg><image href=\"pic.png\"/></svg>", "<p>see http://example.com</p>"}) {
    EXPECT_FALSE(ExternalReferences(bad).empty()) << bad;
  }
  EXPECT_TRUE(ExternalReferences("<p style=\"background:url('data:image/png;base64,AAAA')\">")
                  .empty());
}

// Chromium's network log does show a request the page makes, so an empty list
// for the report means something.
TEST_F(ReportRender, NetworkLogShowsAPageRequest) {
  const Render r = RenderHtml("control", "<!DOCTYPE html><html><body><p>control</p>"
                                         "<img src=\"http://hingelab.invalid/pixel.png\">"
                                         "</body></html>");
  ASSERT_EQ(r.status, 0);
  ASSERT_TRUE(r.net_log.is_object());
  const std::vector<std::string> urls = PageNetworkRequests(r.net_log);
  ASSERT_EQ(urls.size(), 1u);
  EXPECT_EQ(urls[0], "http://hingelab.invalid/pixel.png");
}

TEST_F(ReportRender, PlotsAreDrawnAndNothingIsLoadedFromOutside) {
  std::shared_ptr<DrillPlugin> plugin;
  const DrillScore score = ScoreTakeWithOneFaultyRep(&plugin);
  ASSERT_NE(plugin, nullptr) << "dowel_hinge plugin not built in " HL_BINARY_DIR "/bin";
  ASSERT_TRUE(score.assessable);
  ASSERT_EQ(score.reps.size(), 2u);
  ASSERT_TRUE(score.reps[0].rep.faults.empty());
  ASSERT_FALSE(score.reps[1].rep.faults.empty());
  const std::string html = ScoreReportHtml(score, *plugin, "take.csv");

  for (const std::string& ref : ExternalReferences(html)) ADD_FAILURE() << "external: " << ref;

  const Render r = RenderHtml("report", html);
  ASSERT_EQ(r.status, 0) << "chromium failed; see " << (dir_ / "report.chromium.log");
  EXPECT_LT(r.seconds, 30.0);

  // Nothing fetched from outside, and (the hosts being unresolvable) nothing
  // of the page went missing for it: the DOM still has both plots.
  ASSERT_TRUE(r.net_log.is_object());
  for (const std::string& url : PageNetworkRequests(r.net_log)) ADD_FAILURE() << "fetched " << url;
  size_t svgs = 0, polylines = 0;
  for (size_t at = r.dom.find("<svg"); at != std::string::npos; at = r.dom.find("<svg", at + 1)) {
    ++svgs;
  }
  for (size_t at = r.dom.find("<polyline"); at != std::string::npos;
       at = r.dom.find("<polyline", at + 1)) {
    ++polylines;
  }
  EXPECT_EQ(svgs, 2u) << "the rep signal and the dowel gap";
  EXPECT_GE(polylines, 2u);
  EXPECT_NE(r.dom.find("knees_forward"), std::string::npos);

  ASSERT_FALSE(r.screenshot.empty()) << "no screenshot in " << dir_;
  ASSERT_EQ(r.screenshot.cols, 1280);
  ASSERT_EQ(r.screenshot.rows, 2000);
  const cv::Mat& img = r.screenshot;

  // Not blank: text, tables and plots cover a fair part of the page.
  int non_white = 0;
  for (int y = 0; y < img.rows; ++y) {
    for (int x = 0; x < img.cols; ++x) {
      non_white += img.at<cv::Vec3b>(y, x) != cv::Vec3b(255, 255, 255);
    }
  }
  const double ink = static_cast<double>(non_white) / img.total();
  std::printf("non-white pixels: %.1f %%\n", 100.0 * ink);
  EXPECT_GT(ink, 0.02);

  // Each plot: a band of rep shading as tall as the plot area, with a clean
  // (green) and a faulty (red) rep, and the series stroke drawn across the
  // whole plot width and through most of the band's height. The dowel gap plot
  // (the second) also has the contact_gap_m threshold dashed at its height.
  const std::vector<Band> bands = ShadedBands(img);
  ASSERT_EQ(bands.size(), 2u) << "one shaded band per plot";
  for (size_t b = 0; b < bands.size(); ++b) {
    const Band& band = bands[b];
    SCOPED_TRACE("band at rows " + std::to_string(band.top) + "-" + std::to_string(band.bottom));
    EXPECT_NEAR(band.bottom - band.top + 1, kPlotHeight, 3);
    int clean = 0, faulty = 0, first_col = img.cols, last_col = -1, columns = 0;
    int first_row = img.rows, last_row = -1;
    int dash_first_col = img.cols, dash_last_col = -1, dash_columns = 0;
    std::vector<int> dash_rows(img.rows, 0);
    for (int x = 0; x < img.cols; ++x) {
      bool stroke_in_column = false, dash_in_column = false;
      for (int y = std::max(0, band.top - 2); y <= std::min(img.rows - 1, band.bottom + 2); ++y) {
        const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
        clean += Near(p, kCleanShade, 3);
        faulty += Near(p, kFaultShade, 3);
        if (IsStroke(p)) {
          stroke_in_column = true;
          first_row = std::min(first_row, y);
          last_row = std::max(last_row, y);
        }
        if (IsThreshold(p)) {
          dash_in_column = true;
          ++dash_rows[y];
        }
      }
      if (stroke_in_column) {
        ++columns;
        first_col = std::min(first_col, x);
        last_col = std::max(last_col, x);
      }
      if (dash_in_column) {
        ++dash_columns;
        dash_first_col = std::min(dash_first_col, x);
        dash_last_col = std::max(dash_last_col, x);
      }
    }
    std::printf("plot rows %d-%d: shading %d clean + %d faulty px; stroke in %d columns (%d-%d), "
                "rows %d-%d; threshold colour in %d columns\n", band.top, band.bottom, clean,
                faulty, columns, first_col, last_col, first_row, last_row, dash_columns);
    EXPECT_GT(clean, 1000);
    EXPECT_GT(faulty, 1000);
    ASSERT_GE(last_col, first_col) << "no stroke pixels";
    EXPECT_NEAR(last_col - first_col + 1, kPlotWidth, 4);
    EXPECT_GE(columns, last_col - first_col + 1 - 2) << "the stroke has holes";
    EXPECT_GE(last_row - first_row + 1, kPlotHeight / 2) << "the series looks flat";
    if (b == 0) {
      EXPECT_EQ(dash_columns, 0) << "the rep signal plot has no threshold";
      continue;
    }
    // The line spans the plot (dashed 6 on, 4 off) at the threshold's height
    // in the plot's range, which includes the threshold.
    ASSERT_GE(dash_last_col, dash_first_col) << "no threshold line";
    EXPECT_NEAR(dash_last_col - dash_first_col + 1, kPlotWidth, 4);
    EXPECT_GE(dash_columns, (dash_last_col - dash_first_col + 1) / 2);
    const MeasureSeries* gap = score.measures.Find(HL_MEASURE_DOWEL_GAP);
    ASSERT_NE(gap, nullptr);
    double lo = kContactGapM, hi = kContactGapM;
    for (size_t f = 0; f < gap->values.size(); ++f) {
      if (gap->valid[f]) lo = std::min(lo, gap->values[f]), hi = std::max(hi, gap->values[f]);
    }
    const double expected_row = band.top + (hi - kContactGapM) / (hi - lo) * kPlotHeight;
    const int line_row = static_cast<int>(std::max_element(dash_rows.begin(), dash_rows.end()) -
                                          dash_rows.begin());
    std::printf("threshold line at row %d, expected %.1f (gap %.4f to %.4f m)\n", line_row,
                expected_row, lo, hi);
    EXPECT_NEAR(line_row, expected_row, 2.0);
  }
}

}  // namespace
}  // namespace hl
