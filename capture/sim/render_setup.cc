#include "capture/sim/render_setup.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>

#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace hl::sim {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Camera::NormalizedFromImage started from `start`, extrapolated from the
// rays of the previous pixel corners: one or two Gauss-Newton steps instead of
// five or six from the distorted point (the 2M-ray map of a 1080p camera is
// the renderer's setup). Falls back to the cold start if it does not converge.
Eigen::Vector2d UndistortFrom(const Camera& camera, const Eigen::Vector2d& pixel,
                              Eigen::Vector2d start) {
  const Eigen::Vector2d target((pixel.x() - camera.cx) / camera.fx,
                               (pixel.y() - camera.cy) / camera.fy);
  const int n = static_cast<int>(camera.dist.size());
  if (n == 0) return target;
  const double* dist = camera.dist.data();
  for (int it = 0; it < 8; ++it) {
    double xd, yd;
    Camera::Distort(dist, n, start.x(), start.y(), &xd, &yd);
    const Eigen::Vector2d r(xd - target.x(), yd - target.y());
    if (r.squaredNorm() < 1e-28) return start;
    const double h = 1e-7;
    double ax, ay, bx, by;
    Camera::Distort(dist, n, start.x() + h, start.y(), &ax, &ay);
    Camera::Distort(dist, n, start.x(), start.y() + h, &bx, &by);
    Eigen::Matrix2d j;
    j << (ax - xd) / h, (bx - xd) / h, (ay - yd) / h, (by - yd) / h;
    if (std::abs(j.determinant()) < 1e-12) break;
    start -= j.inverse() * r;
  }
  return camera.NormalizedFromImage(pixel);
}

std::shared_ptr<const CameraRays> ComputeCameraRays(const Camera& camera) {
  auto rays = std::make_shared<CameraRays>();
  const int w = camera.width, h = camera.height;
  rays->width = w;
  rays->height = h;
  rays->stride = w + 1;
  rays->corners.resize(static_cast<size_t>(w + 1) * (h + 1) * 2);
  cv::parallel_for_(cv::Range(0, h + 1), [&](const cv::Range& range) {
    for (int v = range.start; v < range.end; ++v) {
      float* row = rays->corners.data() + static_cast<size_t>(v) * (w + 1) * 2;
      Eigen::Vector2d n = camera.NormalizedFromImage({-0.5, v - 0.5}), before = n;
      for (int u = 0; u <= w; ++u) {
        if (u > 0) {
          // Start from the line through the two previous corners' rays.
          const Eigen::Vector2d start = u > 1 ? Eigen::Vector2d(2 * n - before) : n;
          before = n;
          n = UndistortFrom(camera, {u - 0.5, v - 0.5}, start);
        }
        row[2 * u] = static_cast<float>(n.x());
        row[2 * u + 1] = static_cast<float>(n.y());
      }
    }
  });
  const int t = CameraRays::kTile;
  rays->tiles_x = (w + t - 1) / t;
  rays->tiles_y = (h + t - 1) / t;
  rays->tile_bounds.resize(static_cast<size_t>(rays->tiles_x) * rays->tiles_y * 4);
  for (int ty = 0; ty < rays->tiles_y; ++ty) {
    for (int tx = 0; tx < rays->tiles_x; ++tx) {
      float b[4] = {kInf, kInf, -kInf, -kInf};
      for (int v = ty * t; v <= std::min(h, (ty + 1) * t); ++v) {
        for (int u = tx * t; u <= std::min(w, (tx + 1) * t); ++u) {
          const float* c = &rays->corners[(static_cast<size_t>(v) * (w + 1) + u) * 2];
          b[0] = std::min(b[0], c[0]);
          b[1] = std::min(b[1], c[1]);
          b[2] = std::max(b[2], c[0]);
          b[3] = std::max(b[3], c[1]);
        }
      }
      std::copy(b, b + 4, &rays->tile_bounds[(static_cast<size_t>(ty) * rays->tiles_x + tx) * 4]);
    }
  }
  return rays;
}

cv::Mat MakeBackground(const Camera& camera, const RenderOptions& options) {
  const int w = camera.width, h = camera.height;
  if (!options.background_texture) {
    return cv::Mat(h, w, CV_8UC1, cv::Scalar(std::round(options.ambient_gray)));
  }
  cv::RNG rng(SplitMix64(options.background_seed ^ HashName(camera.name)));
  cv::Mat sum(h, w, CV_32F, cv::Scalar(0));
  // Three octaves of smooth value noise: large shading, furniture-sized
  // blobs, surface texture. Smooth, so it never looks like a marker edge.
  const int cells[3] = {256, 64, 16};
  const float amplitudes[3] = {1.0f, 0.5f, 0.2f};
  for (int i = 0; i < 3; ++i) {
    cv::Mat coarse(h / cells[i] + 2, w / cells[i] + 2, CV_32F);
    rng.fill(coarse, cv::RNG::UNIFORM, -1.0, 1.0);
    cv::Mat fine;
    cv::resize(coarse, fine, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
    sum += amplitudes[i] * fine;
  }
  cv::Mat out;
  sum.convertTo(out, CV_8U, options.background_contrast / 1.7, options.ambient_gray);
  return out;
}

std::string IntrinsicsKey(const Camera& camera) {
  std::string key = std::to_string(camera.width) + "x" + std::to_string(camera.height);
  for (const double v : {camera.fx, camera.fy, camera.cx, camera.cy}) key += ":" + std::to_string(v);
  char buf[32];
  for (const double d : camera.dist) {
    std::snprintf(buf, sizeof(buf), ":%.17g", d);
    key += buf;
  }
  return key;
}

}  // namespace

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t HashName(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (const unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

double GaussianFromBits(uint64_t bits) {
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<double>((bits >> (16 * i)) & 0xFFFF);
  return (sum / 65536.0 - 2.0) * 1.7320508075688772;
}

// Sensor noise is drawn from a shared table of N(0, sigma) values (1/16 gray
// level units); each frame row starts at a random place in it. Drawing 2M
// Gaussians per view would cost more than the geometry.
std::shared_ptr<const std::vector<int16_t>> NoiseTable(double sigma, int max_row) {
  static std::mutex mutex;
  static std::map<double, std::shared_ptr<const std::vector<int16_t>>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& entry = cache[sigma];
  if (entry == nullptr || static_cast<int>(entry->size()) < kNoiseTableSize + max_row) {
    auto table = std::make_shared<std::vector<int16_t>>(kNoiseTableSize + std::max(max_row, 4096));
    for (size_t i = 0; i < table->size(); ++i) {
      const double value = 16.0 * sigma * GaussianFromBits(SplitMix64(0x5EED0000ull + i));
      (*table)[i] = static_cast<int16_t>(std::clamp(std::lround(value), -32767l, 32767l));
    }
    entry = table;
  }
  return entry;
}

std::shared_ptr<const cv::Mat> CachedBackground(const Camera& camera,
                                                const RenderOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const cv::Mat>> cache;
  char buf[160];
  std::snprintf(buf, sizeof(buf), "|%dx%d|%d|%llu|%.17g|%.17g", camera.width, camera.height,
                options.background_texture ? 1 : 0,
                static_cast<unsigned long long>(options.background_seed), options.ambient_gray,
                options.background_contrast);
  const std::string key = camera.name + buf;
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto background = std::make_shared<const cv::Mat>(MakeBackground(camera, options));
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 64) cache.clear();  // a bound, not an LRU: rigs have few cameras
  return cache.emplace(key, background).first->second;
}


std::shared_ptr<const CameraRays> CameraRaysFor(const Camera& camera) {
  if (camera.width <= 0 || camera.height <= 0 || !(camera.fx > 0) || !(camera.fy > 0) ||
      camera.width > 16384 || camera.height > 16384) {
    throw Error(camera.name, "camera needs a positive image size (at most 16384) and focal "
                             "length to be rendered");
  }
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CameraRays>> cache;
  const std::string key = IntrinsicsKey(camera);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto rays = ComputeCameraRays(camera);
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 32) cache.clear();  // ~17 MB each at 1080p
  return cache.emplace(key, rays).first->second;
}

}  // namespace hl::sim
