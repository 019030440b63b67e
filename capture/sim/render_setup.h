#pragma once

// The renderer's per-camera precomputation and seeding helpers: the map of
// undistorted rays through pixel corners with its tile bounds, the camera's
// background, and the shared sensor-noise table. All cached process-wide
// (thread-safe), so every renderer of a camera shares them.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "capture/sim/renderer.h"
#include "core/camera.h"

namespace hl::sim {

struct CameraRays {
  static constexpr int kTile = 16;
  int width = 0;
  int height = 0;
  int stride = 0;  // width + 1
  // (height + 1) x (width + 1) pairs: the undistorted normalized ray (x/z,
  // y/z) through pixel corner (u - 0.5, v - 0.5).
  std::vector<float> corners;
  int tiles_x = 0;
  int tiles_y = 0;
  // Per tile: min x, min y, max x, max y of its corner rays. Rays inside a
  // pixel interpolate its corners, so these bound every ray of the tile.
  std::vector<float> tile_bounds;
};

uint64_t SplitMix64(uint64_t x);
// FNV-1a of a camera name, to seed per-camera randomness.
uint64_t HashName(const std::string& s);
// A unit Gaussian from 64 random bits (Irwin-Hall sum of four 16-bit
// uniforms, rescaled); tails stop at 3.5 sigma, which sensor noise does not miss.
double GaussianFromBits(uint64_t bits);

// kNoiseTableSize + max(max_row, 4096) values of N(0, sigma) in 1/16 gray
// levels, so a row of up to max_row pixels can start anywhere below
// kNoiseTableSize.
std::shared_ptr<const std::vector<int16_t>> NoiseTable(double sigma, int max_row);

// The camera's background (RenderOptions: background_*, ambient_gray),
// keyed by camera name, image size and those options.
std::shared_ptr<const cv::Mat> CachedBackground(const Camera& camera,
                                                const RenderOptions& options);

}  // namespace hl::sim
