#pragma once

// What the simulated studio prints: ArUco markers and ChArUco boards, drawn
// once per process and shared (a take renders thousands of frames from the
// same few textures).
//
// Marker texture layout, for a dictionary of B x B bits and c pixels per cell:
//
//   | 1 white cell | 1 black border cell | B data cells | 1 black border cell | 1 white cell |
//
// so the image is (B + 4) * c pixels square and the black square, of side
// (B + 2) * c, is centred in it. A MarkerInstance of side length_m therefore
// becomes a quad of side length_m * (B + 4) / (B + 2) (MarkerQuadSide).
//
// ChArUco board texture: OpenCV's drawing of the board with a white margin of
// half a square on every side. OpenCV's board frame (which the truth uses) has
// its origin at the top-left chessboard corner as printed, x along the printed
// rows, y DOWN the printed columns, so its +z points into the print; the
// printed face looks along the board's -z.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/aruco/charuco.hpp>
#include <opencv2/core.hpp>

#include "core/camera.h"

namespace hl::sim {

// Bits per side of a predefined dictionary's markers (4 for DICT_4X4_50).
// Throws hl::Error for an id that is not a predefined dictionary.
int MarkerBits(int dictionary_id);
// Number of markers in a predefined dictionary.
int DictionaryMarkerCount(int dictionary_id);
// "DICT_5X5_100" for cv::aruco::DICT_5X5_100; throws hl::Error when unknown.
std::string DictionaryName(int dictionary_id);

// The marker image with its one-cell white quiet zone (layout above), CV_8UC1
// 0 / 255. Throws hl::Error for an id outside the dictionary.
cv::Mat MarkerTexture(int dictionary_id, int id, int pixels_per_cell);
// Side of the printed quad (quiet zone included) whose black square is length_m.
double MarkerQuadSide(int dictionary_id, double length_m);

// A texture and its box-filtered halvings, for anti-aliased sampling: the
// renderer samples the level whose texel is about one sub-sample wide.
struct TexturePyramid {
  std::vector<cv::Mat> levels;  // levels[0] is the texture; CV_8UC1
};
// Halves by exact 2x2 averaging while both sides are even and above 8 px.
TexturePyramid BuildPyramid(const cv::Mat& texture);

// Process-wide, thread-safe caches: the same arguments give the same object.
std::shared_ptr<const TexturePyramid> MarkerPyramid(int dictionary_id, int id,
                                                    int pixels_per_cell);
// Keyed by the texture object; rebuilt if that object was freed and its
// address reused.
std::shared_ptr<const TexturePyramid> PyramidOf(const std::shared_ptr<const cv::Mat>& texture);

struct CharucoBoardSpec {
  int squares_x = 7;         // squares along the board's x (printed rows)
  int squares_y = 5;         // squares along the board's y
  double square_m = 0.1;     // chessboard square side
  double marker_m = 0.075;   // ArUco marker side inside the white squares
  int dictionary_id = cv::aruco::DICT_5X5_100;

  // The design.md board SPEC, e.g. "charuco:7x5:0.1:0.075:DICT_5X5_100".
  std::string ToString() const;
  cv::Ptr<cv::aruco::CharucoBoard> Create() const;
  // Chessboard corner k (OpenCV's chessboardCorners order) in the board frame.
  std::vector<Eigen::Vector3d> CornersInBoard() const;
};

struct BoardTexture {
  std::shared_ptr<const cv::Mat> texture;  // CV_8UC1, margin included
  double width_m = 0.0;                     // printed sheet, margin included
  double height_m = 0.0;
  double margin_m = 0.0;
  // Where a TexturedQuad carrying `texture` sits in the board frame (its +z is
  // the board's -z, the printed side).
  Rigid3d board_from_quad;
};

// Cached per (spec, pixels_per_square). pixels_per_square should make
// marker_m / square_m * pixels_per_square a multiple of (bits + 2) so the
// marker cells land on whole texels (112 does for the default board).
BoardTexture CharucoBoardTexture(const CharucoBoardSpec& spec, int pixels_per_square = 112);

}  // namespace hl::sim
