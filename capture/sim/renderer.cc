#include "capture/sim/renderer.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "capture/sim/render_setup.h"
#include "capture/sim/textures.h"
#include "core/error.h"

namespace hl::sim {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Depth gap, in pixel footprints (half-diagonals at the hit's depth), below
// which two capsule surfaces may swap inside a pixel. A capsule surface one
// pixel inside its outline slopes ~5 footprints of depth per pixel.
constexpr double kCreaseFootprints = 32.0;

// A primitive's bounds in the normalized image plane of the camera.
struct Bounds {
  float b[4] = {-kInf, -kInf, kInf, kInf};

  // From points in the camera frame; unbounded when one is at or behind the
  // camera's plane (rays then reach it anywhere).
  static Bounds Of(const Eigen::Vector3d* points, int n) {
    Bounds out;
    out.b[0] = out.b[1] = kInf;
    out.b[2] = out.b[3] = -kInf;
    for (int i = 0; i < n; ++i) {
      if (points[i].z() < 1e-6) return Bounds();
      const float x = static_cast<float>(points[i].x() / points[i].z());
      const float y = static_cast<float>(points[i].y() / points[i].z());
      out.b[0] = std::min(out.b[0], x);
      out.b[1] = std::min(out.b[1], y);
      out.b[2] = std::max(out.b[2], x);
      out.b[3] = std::max(out.b[3], y);
    }
    return out;
  }
  bool Overlaps(const float* o) const {
    return b[0] <= o[2] && o[0] <= b[2] && b[1] <= o[3] && o[1] <= b[3];
  }
};

struct QuadPrim {
  Eigen::Vector3d n, ex, ey;  // quad axes in the camera frame
  double n_dot_c = 0, ex_dot_c = 0, ey_dot_c = 0;
  double half_w = 0, half_h = 0;
  const cv::Mat* texture = nullptr;  // the chosen pyramid level
  double col_scale = 0, col_offset = 0, row_scale = 0, row_offset = 0;
  double ink = 0, gain = 0;  // value = ink + gain * texel
  Bounds bounds;
};

struct CapsulePrim {
  Eigen::Vector3d a, b, ba, oa;  // oa = camera centre - a = -a
  double baba = 0, baoa = 0, c_cyl = 0, r = 0, r2 = 0, gray = 0;
  double aa = 0, aba = 0;  // a.a and a.ba, for RaySegmentDistance2
  double depth_max = 0;  // largest camera z of the capsule
  Bounds bounds;
};

struct Prims {
  std::vector<QuadPrim> quads;
  std::vector<CapsulePrim> capsules;
  // Keeps the pyramids alive while their levels are referenced.
  std::vector<std::shared_ptr<const TexturePyramid>> pyramids;
};

void AddQuad(const Camera& camera, const RenderOptions& options, const Rigid3d& world_from_quad,
             double width_m, double height_m, bool two_sided,
             std::shared_ptr<const TexturePyramid> pyramid, Prims* prims) {
  if (!(width_m > 0) || !(height_m > 0)) return;
  const Rigid3d cam_from_quad = camera.cam_from_world * world_from_quad;
  const Eigen::Matrix3d r = cam_from_quad.RotationMatrix();
  const Eigen::Vector3d& c = cam_from_quad.translation;
  QuadPrim q;
  q.ex = r.col(0);
  q.ey = r.col(1);
  q.n = r.col(2);
  q.n_dot_c = q.n.dot(c);
  // The camera centre (origin) must be on the printed (+z) side.
  if (!two_sided && q.n_dot_c >= 0) return;
  if (std::abs(q.n_dot_c) < 1e-9) return;  // seen exactly edge-on
  q.ex_dot_c = q.ex.dot(c);
  q.ey_dot_c = q.ey.dot(c);
  q.half_w = width_m / 2;
  q.half_h = height_m / 2;
  const Eigen::Vector3d corners[4] = {c + q.ex * q.half_w + q.ey * q.half_h,
                                      c - q.ex * q.half_w + q.ey * q.half_h,
                                      c - q.ex * q.half_w - q.ey * q.half_h,
                                      c + q.ex * q.half_w - q.ey * q.half_h};
  if (corners[0].z() <= 0 && corners[1].z() <= 0 && corners[2].z() <= 0 && corners[3].z() <= 0) {
    return;
  }
  q.bounds = Bounds::Of(corners, 4);
  // Texture level: texel about one sub-sample wide, from the quad's projected
  // area (foreshortening included) over its texel count.
  int level = 0;
  if (std::isfinite(q.bounds.b[0])) {
    double area = 0;
    for (int i = 0; i < 4; ++i) {
      const Eigen::Vector3d& p = corners[i];
      const Eigen::Vector3d& p1 = corners[(i + 1) % 4];
      area += (p.x() / p.z()) * (p1.y() / p1.z()) - (p1.x() / p1.z()) * (p.y() / p.z());
    }
    const double area_px = std::abs(area) / 2 * camera.fx * camera.fy;
    const cv::Mat& base = pyramid->levels[0];
    const double texel_px = std::sqrt(area_px / (static_cast<double>(base.cols) * base.rows));
    const double wanted = 1.0 / options.supersampling;
    if (texel_px > 0) level = static_cast<int>(std::lround(std::log2(wanted / texel_px)));
    level = std::clamp(level, 0, static_cast<int>(pyramid->levels.size()) - 1);
  }
  q.texture = &pyramid->levels[level];
  const double cols = q.texture->cols, rows = q.texture->rows;
  q.col_scale = cols / width_m;
  q.col_offset = cols / 2 - 0.5;
  q.row_scale = -rows / height_m;  // texture row 0 is the quad's +y edge
  q.row_offset = rows / 2 - 0.5;
  q.ink = options.ink_black;
  q.gain = (options.paper_white - options.ink_black) / 255.0;
  prims->quads.push_back(q);
  prims->pyramids.push_back(std::move(pyramid));
}

void AddCapsule(const Camera& camera, const Capsule& capsule, Prims* prims) {
  if (!(capsule.radius_m > 0)) return;
  CapsulePrim p;
  p.a = camera.cam_from_world * capsule.a;
  p.b = camera.cam_from_world * capsule.b;
  p.r = capsule.radius_m;
  p.r2 = p.r * p.r;
  p.ba = p.b - p.a;
  p.oa = -p.a;
  p.baba = p.ba.squaredNorm();
  p.aa = p.a.squaredNorm();
  p.aba = p.a.dot(p.ba);
  // The camera inside a capsule sees nothing of it from outside: skip it.
  const double s = p.baba > 0 ? std::clamp(p.oa.dot(p.ba) / p.baba, 0.0, 1.0) : 0.0;
  if ((p.a + s * p.ba).squaredNorm() <= p.r2) return;
  p.baoa = p.ba.dot(p.oa);
  p.c_cyl = p.baba * p.oa.squaredNorm() - p.baoa * p.baoa - p.r2 * p.baba;
  p.gray = capsule.gray;
  const Eigen::Vector3d lo = p.a.cwiseMin(p.b).array() - p.r;
  const Eigen::Vector3d hi = p.a.cwiseMax(p.b).array() + p.r;
  if (hi.z() <= 0) return;
  p.depth_max = hi.z();
  Eigen::Vector3d box[8];
  for (int i = 0; i < 8; ++i) {
    box[i] = Eigen::Vector3d(i & 1 ? hi.x() : lo.x(), i & 2 ? hi.y() : lo.y(),
                             i & 4 ? hi.z() : lo.z());
  }
  p.bounds = Bounds::Of(box, 8);
  prims->capsules.push_back(p);
}

// Nearest hit of ray (x, y, 1) on a capsule: its depth t (> 0), or +inf.
// Cylinder: |(t d - a) x ba|^2 = r^2 |ba|^2; caps: spheres at a and b.
inline double HitCapsule(const CapsulePrim& c, const Eigen::Vector3d& d, double dd) {
  const double bard = c.ba.dot(d);
  const double rdoa = d.dot(c.oa);
  const double ka = c.baba * dd - bard * bard;
  const double kb = c.baba * rdoa - c.baoa * bard;
  double y = 0;
  if (ka > 1e-14 * c.baba * dd) {
    const double h = kb * kb - ka * c.c_cyl;
    if (h < 0) return kInf;
    const double t = (-kb - std::sqrt(h)) / ka;
    y = c.baoa + t * bard;
    if (y > 0 && y < c.baba) return t > 0 ? t : kInf;
  } else {
    y = c.baoa < c.baba / 2 ? -1.0 : c.baba + 1.0;  // along the axis: the nearer cap
  }
  const Eigen::Vector3d oc = y <= 0 ? c.oa : Eigen::Vector3d(-c.b);
  const double kb2 = d.dot(oc);
  const double h2 = kb2 * kb2 - dd * (oc.squaredNorm() - c.r2);
  if (h2 <= 0) return kInf;
  const double t = (-kb2 - std::sqrt(h2)) / dd;
  return t > 0 ? t : kInf;
}

// Squared distance from the line through the camera centre along unit `u` to
// the capsule's axis segment, from dot products with the axis (no sqrt): the
// components of a and ba across the line are a - (a.u) u and ba - (ba.u) u.
inline double RaySegmentDistance2(const CapsulePrim& c, const Eigen::Vector3d& u) {
  const double au = c.a.dot(u), bau = c.ba.dot(u);
  const double a_perp2 = c.aa - au * au;
  const double cross = c.aba - au * bau;  // a_perp . ba_perp
  const double ba_perp2 = c.baba - bau * bau;
  const double s = ba_perp2 > 1e-300 ? std::clamp(-cross / ba_perp2, 0.0, 1.0) : 0.0;
  return std::max(0.0, a_perp2 + s * (2 * cross + s * ba_perp2));
}

// Where a capsule stands against a cone of rays (centre ray `u`, `spread`
// wide per unit depth): missed by every ray, covering every ray with its
// outline outside the cone, or with its outline possibly inside it.
enum class ConeTest { kMiss, kCovers, kOutline };
inline ConeTest TestCone(const CapsulePrim& c, const Eigen::Vector3d& u, double spread) {
  const double margin = 1.05 * spread * (c.depth_max + c.r) + 1e-9;
  const double d2 = RaySegmentDistance2(c, u);
  if (d2 > (c.r + margin) * (c.r + margin)) return ConeTest::kMiss;
  if (margin < c.r && d2 < (c.r - margin) * (c.r - margin)) return ConeTest::kCovers;
  return ConeTest::kOutline;
}

inline double ShadeCapsule(const CapsulePrim& c, const Eigen::Vector3d& d, double dd, double t,
                           double ambient) {
  const Eigen::Vector3d p = t * d;
  const double s = c.baba > 0 ? std::clamp((p - c.a).dot(c.ba) / c.baba, 0.0, 1.0) : 0.0;
  const Eigen::Vector3d normal = (p - c.a - s * c.ba) / c.r;
  const double cosine = std::max(0.0, -normal.dot(d) / std::sqrt(dd));
  return c.gray * (ambient + (1.0 - ambient) * cosine);
}

inline double SampleTexture(const QuadPrim& q, double a, double b) {
  const cv::Mat& tex = *q.texture;
  const double col = std::clamp(a * q.col_scale + q.col_offset, 0.0, tex.cols - 1.0);
  const double row = std::clamp(b * q.row_scale + q.row_offset, 0.0, tex.rows - 1.0);
  const int c0 = static_cast<int>(col), r0 = static_cast<int>(row);
  const int c1 = std::min(c0 + 1, tex.cols - 1), r1 = std::min(r0 + 1, tex.rows - 1);
  const double fc = col - c0, fr = row - r0;
  const uint8_t* row0 = tex.ptr<uint8_t>(r0);
  const uint8_t* row1 = tex.ptr<uint8_t>(r1);
  const double top = row0[c0] + fc * (row0[c1] - row0[c0]);
  const double bottom = row1[c0] + fc * (row1[c1] - row1[c0]);
  return q.ink + q.gain * (top + fr * (bottom - top));
}

}  // namespace

void RenderOptions::Check() const {
  auto fail = [](const std::string& what) { throw Error("render options", what); };
  if (supersampling < 1 || supersampling > 16) fail("supersampling must be 1..16");
  if (occluder_supersampling < 1 || occluder_supersampling > 16) {
    fail("occluder_supersampling must be 1..16");
  }
  if (!(noise_sigma >= 0) || !(blur_sigma_px >= 0)) fail("noise and blur sigmas must be >= 0");
  if (jpeg_quality < 0 || jpeg_quality > 100) fail("jpeg_quality must be 0 (off) or 1..100");
  if (!(exposure_gain > 0) || !(exposure_variation >= 0)) {
    fail("exposure_gain must be > 0 and exposure_variation >= 0");
  }
  if (!(capsule_ambient >= 0 && capsule_ambient <= 1)) fail("capsule_ambient must be in [0, 1]");
  if (marker_pixels_per_cell < 1 || marker_pixels_per_cell > 256) {
    fail("marker_pixels_per_cell must be 1..256");
  }
  MarkerBits(marker_dictionary);  // throws for an unknown dictionary
}

RenderOptions RenderOptions::Sharp() {
  RenderOptions o;
  o.exposure_variation = 0;
  o.noise_sigma = 0;
  o.blur_sigma_px = 0;
  o.jpeg_quality = 0;
  return o;
}


ViewRenderer::ViewRenderer(const Camera& camera, const RenderOptions& options)
    : camera_(camera), options_(options) {
  options_.Check();
  rays_ = CameraRaysFor(camera_);
  background_ = *CachedBackground(camera_, options_);
  if (options_.blur_sigma_px > 0) {
    cv::GaussianBlur(background_, blurred_background_, cv::Size(0, 0), options_.blur_sigma_px);
  }
  if (options_.noise_sigma > 0) noise_table_ = NoiseTable(options_.noise_sigma, camera_.width);
}

cv::Mat ViewRenderer::RenderGeometry(const SceneFrame& scene,
                                     std::vector<uint8_t>* touched) const {
  touched->assign(static_cast<size_t>(rays_->tiles_x) * rays_->tiles_y, 0);
  Prims prims;
  for (const MarkerInstance& m : scene.markers) {
    if (!(m.length_m > 0)) continue;
    const double side = MarkerQuadSide(options_.marker_dictionary, m.length_m);
    AddQuad(camera_, options_, m.world_from_marker, side, side, false,
            MarkerPyramid(options_.marker_dictionary, m.id, options_.marker_pixels_per_cell),
            &prims);
  }
  for (const TexturedQuad& q : scene.quads) {
    if (q.texture == nullptr || q.texture->empty()) continue;
    if (q.texture->type() != CV_8UC1) {
      throw Error("scene quad", "texture must be 8-bit gray (CV_8UC1)");
    }
    AddQuad(camera_, options_, q.world_from_quad, q.width_m, q.height_m, q.two_sided,
            PyramidOf(q.texture), &prims);
  }
  for (const Capsule& c : scene.occluders) AddCapsule(camera_, c, &prims);

  cv::Mat image = background_.clone();
  const int num_quads = static_cast<int>(prims.quads.size());
  const int num_prims = num_quads + static_cast<int>(prims.capsules.size());
  if (num_prims == 0) return image;
  auto bounds_of = [&](int i) -> const Bounds& {
    return i < num_quads ? prims.quads[i].bounds : prims.capsules[i - num_quads].bounds;
  };

  const CameraRays& rays = *rays_;
  const int s = options_.supersampling;
  std::vector<double> sub(s);
  for (int i = 0; i < s; ++i) sub[i] = (i + 0.5) / s;
  const int so = std::min(s, options_.occluder_supersampling);
  std::vector<double> sub_occluder(so);
  for (int i = 0; i < so; ++i) sub_occluder[i] = (i + 0.5) / so;
  std::vector<int> tile_prims, pixel_quads, pixel_capsules;
  std::vector<char> tile_covers;
  for (int ty = 0; ty < rays.tiles_y; ++ty) {
    for (int tx = 0; tx < rays.tiles_x; ++tx) {
      const float* tb = &rays.tile_bounds[(static_cast<size_t>(ty) * rays.tiles_x + tx) * 4];
      tile_prims.clear();
      tile_covers.clear();
      // The tile's rays lie in its bounds box: a cone about the box centre as
      // wide as its half-diagonal. A capsule far from that cone is dropped for
      // the whole tile; one whose outline stays outside it covers every pixel.
      const Eigen::Vector3d tile_center((tb[0] + tb[2]) / 2.0, (tb[1] + tb[3]) / 2.0, 1.0);
      const Eigen::Vector3d tile_unit = tile_center.normalized();
      const double tile_spread = std::hypot((tb[2] - tb[0]) / 2.0, (tb[3] - tb[1]) / 2.0);
      for (int i = 0; i < num_prims; ++i) {
        if (!bounds_of(i).Overlaps(tb)) continue;
        bool covers = false;
        if (i >= num_quads) {
          const ConeTest test = TestCone(prims.capsules[i - num_quads], tile_unit, tile_spread);
          if (test == ConeTest::kMiss) continue;
          covers = test == ConeTest::kCovers;
        }
        tile_prims.push_back(i);
        tile_covers.push_back(covers);
      }
      if (tile_prims.empty()) continue;
      (*touched)[static_cast<size_t>(ty) * rays.tiles_x + tx] = 1;
      const int v_end = std::min(rays.height, (ty + 1) * CameraRays::kTile);
      const int u_end = std::min(rays.width, (tx + 1) * CameraRays::kTile);
      for (int v = ty * CameraRays::kTile; v < v_end; ++v) {
        uint8_t* out_row = image.ptr<uint8_t>(v);
        for (int u = tx * CameraRays::kTile; u < u_end; ++u) {
          const float* c00 = &rays.corners[(static_cast<size_t>(v) * rays.stride + u) * 2];
          const float* c10 = c00 + 2;
          const float* c01 = c00 + static_cast<size_t>(rays.stride) * 2;
          const float* c11 = c01 + 2;
          const float pb[4] = {std::min({c00[0], c10[0], c01[0], c11[0]}),
                               std::min({c00[1], c10[1], c01[1], c11[1]}),
                               std::max({c00[0], c10[0], c01[0], c11[0]}),
                               std::max({c00[1], c10[1], c01[1], c11[1]})};
          pixel_quads.clear();
          pixel_capsules.clear();
          // The pixel's rays: its centre ray and a cone around it, `spread`
          // wide in the normalized plane (per unit depth).
          const Eigen::Vector3d center_ray((c00[0] + c10[0] + c01[0] + c11[0]) / 4.0,
                                           (c00[1] + c10[1] + c01[1] + c11[1]) / 4.0, 1.0);
          double spread2 = 0;
          for (const float* c : {c00, c10, c01, c11}) {
            const double dx = c[0] - center_ray.x(), dy = c[1] - center_ray.y();
            spread2 = std::max(spread2, dx * dx + dy * dy);
          }
          const double spread = std::sqrt(spread2);
          const Eigen::Vector3d center_unit = center_ray.normalized();
          bool silhouette = false;  // a capsule's outline may cross the pixel
          for (size_t k = 0; k < tile_prims.size(); ++k) {
            const int i = tile_prims[k];
            if (tile_covers[k]) {
              pixel_capsules.push_back(i - num_quads);
              continue;
            }
            if (!bounds_of(i).Overlaps(pb)) continue;
            if (i < num_quads) {
              pixel_quads.push_back(i);
              continue;
            }
            // Capsules: cull by the cone; note whether one's outline is near.
            const ConeTest test = TestCone(prims.capsules[i - num_quads], center_unit, spread);
            if (test == ConeTest::kMiss) continue;
            if (test == ConeTest::kOutline) silhouette = true;
            pixel_capsules.push_back(i - num_quads);
          }
          if (pixel_quads.empty() && pixel_capsules.empty()) continue;
          if (pixel_quads.empty() && !silhouette) {
            // Inside every nearby capsule's outline: the shading is smooth, so
            // one sample is the pixel's value unless two surfaces are within a
            // few pixel footprints of each other in depth (a crease where the
            // visible capsule changes inside the pixel).
            const double dd = center_ray.squaredNorm();
            double best_t = kInf, second_t = kInf;
            int best = -1;
            for (const int i : pixel_capsules) {
              const double t = HitCapsule(prims.capsules[i], center_ray, dd);
              if (t < best_t) {
                second_t = best_t;
                best_t = t;
                best = i;
              } else if (t < second_t) {
                second_t = t;
              }
            }
            if (best >= 0 && second_t - best_t > kCreaseFootprints * spread * best_t) {
              out_row[u] = cv::saturate_cast<uint8_t>(ShadeCapsule(
                  prims.capsules[best], center_ray, dd, best_t, options_.capsule_ambient));
              continue;
            }
          }
          const double background = out_row[u];
          // Printed quads get the full sampling; capsule outlines alone (limbs
          // against the background) are smooth shapes and get the coarser one.
          const bool fine = !pixel_quads.empty();
          const std::vector<double>& offsets = fine ? sub : sub_occluder;
          const int n = static_cast<int>(offsets.size());
          double sum = 0;
          for (int sy = 0; sy < n; ++sy) {
            const double fy = offsets[sy];
            for (int sx = 0; sx < n; ++sx) {
              const double fx = offsets[sx];
              const double w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy);
              const double w01 = (1 - fx) * fy, w11 = fx * fy;
              const Eigen::Vector3d d(w00 * c00[0] + w10 * c10[0] + w01 * c01[0] + w11 * c11[0],
                                      w00 * c00[1] + w10 * c10[1] + w01 * c01[1] + w11 * c11[1],
                                      1.0);
              double best_t = kInf, value = background;
              for (const int i : pixel_quads) {
                const QuadPrim& q = prims.quads[i];
                const double denom = q.n.dot(d);
                if (std::abs(denom) < 1e-12) continue;
                const double t = q.n_dot_c / denom;
                if (!(t > 0) || t >= best_t) continue;
                const double a = t * q.ex.dot(d) - q.ex_dot_c;
                const double b = t * q.ey.dot(d) - q.ey_dot_c;
                if (std::abs(a) > q.half_w || std::abs(b) > q.half_h) continue;
                best_t = t;
                value = SampleTexture(q, a, b);
              }
              if (!pixel_capsules.empty()) {
                // Shade only the nearest capsule hit.
                const double dd = d.squaredNorm();
                int nearest = -1;
                for (const int i : pixel_capsules) {
                  const double t = HitCapsule(prims.capsules[i], d, dd);
                  if (t < best_t) best_t = t, nearest = i;
                }
                if (nearest >= 0) {
                  value = ShadeCapsule(prims.capsules[nearest], d, dd, best_t,
                                       options_.capsule_ambient);
                }
              }
              sum += value;
            }
          }
          out_row[u] = cv::saturate_cast<uint8_t>(sum / (n * n));
        }
      }
    }
  }
  return image;
}

cv::Mat ViewRenderer::Blur(const cv::Mat& sharp, const std::vector<uint8_t>& touched) const {
  const CameraRays& rays = *rays_;
  const int t = CameraRays::kTile;
  // Wider than the kernel OpenCV picks for 8-bit images (radius ~3 sigma).
  const int reach = static_cast<int>(std::ceil(4 * options_.blur_sigma_px)) + 1;
  cv::Mat out = blurred_background_.clone();
  const cv::Rect image_rect(0, 0, sharp.cols, sharp.rows);
  for (int ty = 0; ty < rays.tiles_y; ++ty) {
    for (int tx = 0; tx < rays.tiles_x;) {
      if (!touched[static_cast<size_t>(ty) * rays.tiles_x + tx]) {
        ++tx;
        continue;
      }
      const int run_start = tx;
      while (tx < rays.tiles_x && touched[static_cast<size_t>(ty) * rays.tiles_x + tx]) ++tx;
      // A pixel whose kernel reaches a touched tile differs from the blurred
      // background. GaussianBlur of an ROI reads its neighbours in the parent
      // image; its values match a full-image blur to one gray level (OpenCV's
      // fixed-point 8-bit path rounds differently on small images).
      const cv::Rect run = cv::Rect(run_start * t - reach, ty * t - reach,
                                    (tx - run_start) * t + 2 * reach, t + 2 * reach) &
                           image_rect;
      cv::Mat target = out(run);
      cv::GaussianBlur(sharp(run), target, cv::Size(0, 0), options_.blur_sigma_px);
    }
  }
  return out;
}

cv::Mat ViewRenderer::Render(const SceneFrame& scene, uint64_t frame_seed) const {
  std::vector<uint8_t> touched;
  cv::Mat image = RenderGeometry(scene, &touched);
  if (options_.blur_sigma_px > 0) image = Blur(image, touched);
  const uint64_t key = SplitMix64(SplitMix64(options_.seed ^ HashName(camera_.name)) ^ frame_seed);
  const double gain = options_.exposure_gain *
                      std::exp(options_.exposure_variation * GaussianFromBits(SplitMix64(key)));
  if (options_.noise_sigma > 0 || gain != 1.0) {
    // In 1/16 gray levels (the noise table's unit), with OpenCV's saturating
    // vectorized row operations.
    const std::vector<int16_t>* noise =
        options_.noise_sigma > 0 ? noise_table_.get() : nullptr;
    cv::Mat level(1, image.cols, CV_16S);
    for (int v = 0; v < image.rows; ++v) {
      cv::Mat row = image.row(v);
      row.convertTo(level, CV_16S, 16.0 * std::min(gain, 64.0));
      if (noise != nullptr) {
        int16_t* n = const_cast<int16_t*>(noise->data()) +
                     (SplitMix64(key + 1 + v) & (kNoiseTableSize - 1));
        cv::add(level, cv::Mat(1, image.cols, CV_16S, n), level);
      }
      level.convertTo(row, CV_8U, 1.0 / 16);
    }
  }
  if (options_.jpeg_quality > 0) {
    std::vector<uint8_t> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, options_.jpeg_quality});
    image = cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
  }
  return image;
}

cv::Mat RenderView(const Camera& camera, const SceneFrame& scene, const RenderOptions& options,
                   uint64_t frame_seed) {
  return ViewRenderer(camera, options).Render(scene, frame_seed);
}

std::vector<cv::Mat> RenderViews(const std::vector<ViewRenderer>& renderers,
                                 const SceneFrame& scene, uint64_t frame_seed) {
  std::vector<cv::Mat> out(renderers.size());
  std::mutex mutex;
  std::exception_ptr failure;
  // Exceptions must not cross OpenCV's thread pool: keep the first, rethrow here.
  cv::parallel_for_(cv::Range(0, static_cast<int>(renderers.size())), [&](const cv::Range& r) {
    for (int i = r.start; i < r.end; ++i) {
      try {
        out[i] = renderers[i].Render(scene, frame_seed);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  });
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace hl::sim
