#include "capture/sim/textures.h"

#include <map>
#include <mutex>
#include <tuple>

#include <opencv2/aruco.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/json.h"

namespace hl::sim {
namespace {

constexpr const char* kDictionaryNames[] = {
    "DICT_4X4_50",        "DICT_4X4_100",       "DICT_4X4_250",        "DICT_4X4_1000",
    "DICT_5X5_50",        "DICT_5X5_100",       "DICT_5X5_250",        "DICT_5X5_1000",
    "DICT_6X6_50",        "DICT_6X6_100",       "DICT_6X6_250",        "DICT_6X6_1000",
    "DICT_7X7_50",        "DICT_7X7_100",       "DICT_7X7_250",        "DICT_7X7_1000",
    "DICT_ARUCO_ORIGINAL", "DICT_APRILTAG_16h5", "DICT_APRILTAG_25h9", "DICT_APRILTAG_36h10",
    "DICT_APRILTAG_36h11"};
constexpr int kDictionaryCount = sizeof(kDictionaryNames) / sizeof(kDictionaryNames[0]);

cv::Ptr<cv::aruco::Dictionary> Dictionary(int dictionary_id) {
  if (dictionary_id < 0 || dictionary_id >= kDictionaryCount) {
    throw Error("dictionary " + std::to_string(dictionary_id),
                "not an OpenCV predefined ArUco dictionary; use 0..20 (DICT_4X4_50 .. "
                "DICT_APRILTAG_36h11)");
  }
  return cv::aruco::getPredefinedDictionary(dictionary_id);
}

}  // namespace

int MarkerBits(int dictionary_id) { return Dictionary(dictionary_id)->markerSize; }

int DictionaryMarkerCount(int dictionary_id) { return Dictionary(dictionary_id)->bytesList.rows; }

std::string DictionaryName(int dictionary_id) {
  Dictionary(dictionary_id);  // validates
  return kDictionaryNames[dictionary_id];
}

cv::Mat MarkerTexture(int dictionary_id, int id, int pixels_per_cell) {
  const cv::Ptr<cv::aruco::Dictionary> dictionary = Dictionary(dictionary_id);
  if (id < 0 || id >= dictionary->bytesList.rows) {
    throw Error("marker " + std::to_string(id),
                "not in " + DictionaryName(dictionary_id) + " (ids 0.." +
                    std::to_string(dictionary->bytesList.rows - 1) +
                    "); use a marker set whose ids fit its dictionary");
  }
  HL_CHECK(pixels_per_cell > 0);
  const int bits = dictionary->markerSize;
  cv::Mat marker;
  cv::aruco::drawMarker(dictionary, id, (bits + 2) * pixels_per_cell, marker, 1);
  cv::Mat out(cv::Size((bits + 4) * pixels_per_cell, (bits + 4) * pixels_per_cell), CV_8UC1,
              cv::Scalar(255));
  marker.copyTo(out(cv::Rect(pixels_per_cell, pixels_per_cell, marker.cols, marker.rows)));
  return out;
}

double MarkerQuadSide(int dictionary_id, double length_m) {
  const int bits = MarkerBits(dictionary_id);
  return length_m * (bits + 4) / (bits + 2);
}

TexturePyramid BuildPyramid(const cv::Mat& texture) {
  HL_CHECK(texture.type() == CV_8UC1 && !texture.empty());
  TexturePyramid pyramid;
  pyramid.levels.push_back(texture.clone());
  while (true) {
    const cv::Mat& last = pyramid.levels.back();
    // Odd sides cannot halve exactly; a non-exact resize would shift edges.
    if (last.cols % 2 != 0 || last.rows % 2 != 0 || last.cols <= 8 || last.rows <= 8) break;
    cv::Mat half;
    cv::resize(last, half, cv::Size(last.cols / 2, last.rows / 2), 0, 0, cv::INTER_AREA);
    pyramid.levels.push_back(half);
  }
  return pyramid;
}

std::shared_ptr<const TexturePyramid> MarkerPyramid(int dictionary_id, int id,
                                                    int pixels_per_cell) {
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, std::shared_ptr<const TexturePyramid>> cache;
  const auto key = std::make_tuple(dictionary_id, id, pixels_per_cell);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  // Drawn outside the lock; a race only draws the same marker twice.
  auto pyramid = std::make_shared<const TexturePyramid>(
      BuildPyramid(MarkerTexture(dictionary_id, id, pixels_per_cell)));
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(key, pyramid).first->second;
}

std::shared_ptr<const TexturePyramid> PyramidOf(const std::shared_ptr<const cv::Mat>& texture) {
  HL_CHECK(texture != nullptr);
  struct Entry {
    std::weak_ptr<const cv::Mat> texture;
    std::shared_ptr<const TexturePyramid> pyramid;
  };
  static std::mutex mutex;
  static std::map<const cv::Mat*, Entry> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(texture.get());
    if (it != cache.end() && it->second.texture.lock() == texture) return it->second.pyramid;
  }
  auto pyramid = std::make_shared<const TexturePyramid>(BuildPyramid(*texture));
  std::lock_guard<std::mutex> lock(mutex);
  // Drop entries whose texture is gone so a long process does not accumulate them.
  for (auto it = cache.begin(); it != cache.end();) {
    it = it->second.texture.expired() ? cache.erase(it) : std::next(it);
  }
  cache[texture.get()] = Entry{texture, pyramid};
  return pyramid;
}

std::string CharucoBoardSpec::ToString() const {
  return "charuco:" + std::to_string(squares_x) + "x" + std::to_string(squares_y) + ":" +
         FormatDouble(square_m) + ":" + FormatDouble(marker_m) + ":" +
         DictionaryName(dictionary_id);
}

cv::Ptr<cv::aruco::CharucoBoard> CharucoBoardSpec::Create() const {
  if (squares_x < 2 || squares_y < 2 || !(square_m > 0) || !(marker_m > 0) ||
      marker_m >= square_m) {
    throw Error("board " + ToString(),
                "needs at least 2 x 2 squares and 0 < marker side < square side");
  }
  return cv::aruco::CharucoBoard::create(squares_x, squares_y, static_cast<float>(square_m),
                                         static_cast<float>(marker_m),
                                         Dictionary(dictionary_id));
}

std::vector<Eigen::Vector3d> CharucoBoardSpec::CornersInBoard() const {
  // OpenCV stores the corners as floats; recompute them in double so the
  // truth is exact: corner k = (1 + k % (sx - 1), 1 + k / (sx - 1)) squares.
  std::vector<Eigen::Vector3d> out;
  for (int row = 0; row < squares_y - 1; ++row) {
    for (int col = 0; col < squares_x - 1; ++col) {
      out.emplace_back((col + 1) * square_m, (row + 1) * square_m, 0.0);
    }
  }
  return out;
}

BoardTexture CharucoBoardTexture(const CharucoBoardSpec& spec, int pixels_per_square) {
  HL_CHECK(pixels_per_square >= 8);
  static std::mutex mutex;
  static std::map<std::tuple<int, int, double, double, int, int>, BoardTexture> cache;
  const auto key = std::make_tuple(spec.squares_x, spec.squares_y, spec.square_m, spec.marker_m,
                                   spec.dictionary_id, pixels_per_square);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  const cv::Ptr<cv::aruco::CharucoBoard> board = spec.Create();
  const int margin_px = pixels_per_square / 2;
  cv::Mat image;
  board->draw(cv::Size(spec.squares_x * pixels_per_square + 2 * margin_px,
                       spec.squares_y * pixels_per_square + 2 * margin_px),
              image, margin_px, 1);
  BoardTexture out;
  out.texture = std::make_shared<const cv::Mat>(image);
  out.margin_m = spec.square_m * margin_px / pixels_per_square;
  out.width_m = spec.squares_x * spec.square_m + 2 * out.margin_m;
  out.height_m = spec.squares_y * spec.square_m + 2 * out.margin_m;
  // Quad x = board x, quad y = -board y (texture row 0 is the quad's top and
  // the board's y = -margin), so quad z = -board z: a half turn about x.
  out.board_from_quad = Rigid3d(
      Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitX())),
      Eigen::Vector3d(spec.squares_x * spec.square_m / 2, spec.squares_y * spec.square_m / 2, 0));
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(key, out).first->second;
}

}  // namespace hl::sim
