#pragma once

// Sub-pixel X-corner (the saddle where four chessboard squares meet) from a
// disc that holds nothing but the X.
//
// Why: on a ChArUco board the white squares hold markers whose black borders
// start a few pixels from the corner. OpenCV 4.6's interpolateCornersCharuco
// refines with cornerSubPix on a square window sized from the distance to the
// markers' corners, so the window's sides reach the marker borders and their
// edges pull the corner: 0.20 px RMS against the true projections on the
// rendered calibration takes, up to 2.4 px on steep views (calibration_bench
// `corners`), enough to bias the focal length and the rig.
//
// How: a model of a blurred X fitted to the pixels of a disc whose radius the
// caller keeps clear of everything else,
//   I(p) = c0 + c1 F(p),  F = a1 a2 + (1 - a1)(1 - a2),
//   a_k = Phi(n_k . (p - q) / s),  n_k = (-sin theta_k, cos theta_k),
// over q (the corner), the two edge angles (any, as perspective skews them),
// the blur s and the two levels, by Levenberg-Marquardt from a quadratic's
// saddle. Pixels are used where they are, without resampling (on the same
// synthetic X-corners cornerSubPix's estimator, gradients orthogonal to p - q
// on bilinearly resampled pixels, was 0.050 px RMS on this disc, the fit
// 0.028 px, both against 8x8-supersampled truth); the weights fall smoothly to 0 at the rim so a
// feature just outside moves q little, and a second round re-centres the disc
// on the first answer so the model's small misfit (a pixel is a box, not a
// Gaussian) is point-symmetric about q and cancels.

#include <Eigen/Core>
#include <opencv2/core.hpp>

namespace hl {

struct XCornerOptions {
  // Window radius range in pixels: below the minimum there are too few edge
  // pixels to trust (the caller should drop the corner); above the maximum
  // more pixels add nothing but time.
  double min_radius_px = 1.5;
  double max_radius_px = 12.0;
  // Levenberg-Marquardt stops when q moves less than this (pixels) ...
  double epsilon_px = 1e-3;
  // ... or after this many iterations (per round).
  int max_iterations = 30;
  // The refined corner may move at most this far from the start (pixels):
  // farther means the window found another feature.
  double max_shift_px = 1.5;
  // Smallest edge blur s the fit may take (pixels). Edges sharper than the
  // 1-pixel sampling cannot be resolved: on aliased or sharpened images the
  // fit drove s to 0.05-0.24 px (real tutorial photos), where the model is a
  // step at the pixel centres, its cost is flat in q between them and the fit
  // stops anywhere in that cell. The default is the standard deviation of a
  // 1-pixel box, 1/sqrt(12). Against 0.05 px: aliased renders of the tutorial
  // poses 0.126-0.163 -> 0.100-0.106 px RMS off the truth (fx bias +1.0 ->
  // -0.04 %, real_views_rendered_test); no fit on rendered studio4 reaches it.
  double min_blur_px = 0.2887;

  void Check() const;
};

// How a fit went, for judging the model on real images (calibration_bench
// `real`): a blur or a residual much larger than on rendered boards says the
// model does not describe the pixels.
struct XCornerFit {
  double radius_px = 0.0;  // disc radius used (after clamping)
  double blur_px = 0.0;    // fitted edge blur s (Gaussian sigma, pixels)
  double contrast = 0.0;   // |c1|, gray levels / 255
  // Weighted RMS of the model's residual over the disc divided by the
  // contrast: 0 for a perfect X.
  double residual = 0.0;
};

// Refines `corner` (pixel centres at integer coordinates, as OpenCV) in
// `gray` (CV_8UC1) with a window of `radius_px` (clamped to the options'
// maximum). Returns false, leaving `corner` unchanged, when the radius is
// below the minimum, the disc leaves the image, it holds no saddle or too
// little contrast (no X there) or the corner moved too far. `fit`, when
// given, receives the final round's figures on success.
bool RefineXCorner(const cv::Mat& gray, double radius_px, const XCornerOptions& options,
                   Eigen::Vector2d* corner, XCornerFit* fit = nullptr);

// Distance (pixels) from `point` to the nearest side of the polygon `quad`
// (its 4 corners in order); 0 when `point` is inside it.
double DistanceToQuad(const Eigen::Vector2d& point, const Eigen::Vector2d quad[4]);

}  // namespace hl
