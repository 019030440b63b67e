#include "reconstruction/detection.h"

#include <algorithm>
#include <cmath>

#include <opencv2/aruco.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "reconstruction/corner_refinement.h"
#include "reconstruction/triangulation.h"

namespace hl {

void DetectionOptions::Check() const {
  if (dictionary_id < 0 || dictionary_id > cv::aruco::DICT_APRILTAG_36h11) {
    throw Error("detection options", "dictionary_id " + std::to_string(dictionary_id) +
                                         " is not an OpenCV predefined dictionary");
  }
  if (!(subpix_window_cell_fraction > 0 && subpix_window_cell_fraction < 1)) {
    throw Error("detection options", "subpix_window_cell_fraction must be in (0, 1)");
  }
  if (!(min_marker_perimeter_px >= 8)) {
    throw Error("detection options", "min_marker_perimeter_px must be at least 8");
  }
}

void TrackingOptions::Check() const {
  if (full_frame_interval < 1) throw Error("tracking options", "full_frame_interval must be >= 1");
  if (!(roi_margin_fraction >= 0) || !(roi_margin_px >= 0)) {
    throw Error("tracking options", "ROI margins must not be negative");
  }
  if (max_prediction_age < 1) throw Error("tracking options", "max_prediction_age must be >= 1");
  if (!(lost_search_scale >= 1)) throw Error("tracking options", "lost_search_scale must be >= 1");
  if (min_lost_pass_interval < 1) throw Error("tracking options", "min_lost_pass_interval must be >= 1");
}

namespace {

cv::Mat ToGray(const cv::Mat& image) {
  if (image.type() == CV_8UC1) return image;
  cv::Mat gray;
  if (image.channels() == 3) {
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  } else if (image.channels() == 4) {
    cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  } else {
    image.convertTo(gray, CV_8U);
  }
  if (gray.depth() != CV_8U) gray.convertTo(gray, CV_8U, image.depth() == CV_16U ? 1.0 / 256 : 1.0);
  return gray;
}

// Raw detections (before filtering) in one region, offsets added back.
void DetectRegion(const cv::Mat& gray, const cv::Rect& region,
                  const cv::Ptr<cv::aruco::Dictionary>& dictionary,
                  const DetectionOptions& options, int marker_cells,
                  std::vector<std::vector<cv::Point2f>>* corners, std::vector<int>* ids) {
  const cv::Mat crop = gray(region);
  auto params = cv::aruco::DetectorParameters::create();
  const double max_dim = std::max(region.width, region.height);
  // Perimeter limits are relative to the searched image: rescale so a crop
  // accepts the same absolute sizes as the full frame.
  params->minMarkerPerimeterRate = options.min_marker_perimeter_px / max_dim;
  params->maxMarkerPerimeterRate = 4.0;
  params->cornerRefinementMethod = options.refinement == CornerRefinement::kContour
                                       ? cv::aruco::CORNER_REFINE_CONTOUR
                                       : cv::aruco::CORNER_REFINE_NONE;
  std::vector<std::vector<cv::Point2f>> found;
  std::vector<int> found_ids;
  cv::aruco::detectMarkers(crop, dictionary, found, found_ids, params);
  for (size_t k = 0; k < found.size(); ++k) {
    std::vector<cv::Point2f>& q = found[k];
    if (q.size() != 4) continue;
    if (options.refinement == CornerRefinement::kEdges) {
      double perimeter = 0;
      for (int i = 0; i < 4; ++i) perimeter += cv::norm(q[i] - q[(i + 1) % 4]);
      // A failed fit keeps the polygon corners, refined the saddle way.
      if (!RefineCornersByEdges(crop, perimeter / 4.0 / marker_cells, &q)) {
        cv::cornerSubPix(crop, q, cv::Size(1, 1), cv::Size(-1, -1),
                         cv::TermCriteria(cv::TermCriteria::MAX_ITER | cv::TermCriteria::EPS, 30, 0.01));
      }
    } else if (options.refinement == CornerRefinement::kSubpix) {
      // The cell size decides the window: a window wider than a cell reaches
      // the code's inner edges and pulls the corner off the outer square.
      double perimeter = 0;
      for (int i = 0; i < 4; ++i) perimeter += cv::norm(q[i] - q[(i + 1) % 4]);
      const double cell_px = perimeter / 4.0 / marker_cells;
      const int half = std::max(1, static_cast<int>(options.subpix_window_cell_fraction * cell_px));
      cv::cornerSubPix(crop, q, cv::Size(half, half), cv::Size(-1, -1),
                       cv::TermCriteria(cv::TermCriteria::MAX_ITER | cv::TermCriteria::EPS, 30, 0.01));
    }
    for (auto& p : q) p += cv::Point2f(static_cast<float>(region.x), static_cast<float>(region.y));
    corners->push_back(std::move(q));
    ids->push_back(found_ids[k]);
  }
}

// World corners of a marker from one view by planar PnP (IPPE); false when
// the quad is degenerate.
bool SingleViewCorners(const Camera& cam, const MarkerObservation& obs, double length_m,
                       std::array<Eigen::Vector3d, 4>* corners) {
  const double h = 0.5 * length_m;
  const std::vector<cv::Point3d> object = {{-h, h, 0}, {h, h, 0}, {h, -h, 0}, {-h, -h, 0}};
  std::vector<cv::Point2d> image;
  for (const auto& c : obs.corners_px) image.emplace_back(c.x(), c.y());
  cv::Mat rvec, tvec;
  try {
    if (!cv::solvePnP(object, image, cam.CameraMatrix(), cam.DistCoeffs(), rvec, tvec, false,
                      cv::SOLVEPNP_IPPE_SQUARE)) {
      return false;
    }
  } catch (const cv::Exception&) {
    return false;
  }
  const Rigid3d world_from_marker =
      cam.cam_from_world.Inverse() *
      Rigid3d::FromRvecTvec({rvec.at<double>(0), rvec.at<double>(1), rvec.at<double>(2)},
                            {tvec.at<double>(0), tvec.at<double>(1), tvec.at<double>(2)});
  for (int i = 0; i < 4; ++i) {
    (*corners)[i] = world_from_marker * Eigen::Vector3d(object[i].x, object[i].y, object[i].z);
  }
  return world_from_marker.translation.allFinite();
}

}  // namespace

ImageDetections DetectMarkersInImage(const cv::Mat& image, const MarkerSet& set,
                                     const DetectionOptions& options,
                                     const std::vector<cv::Rect>& regions) {
  HL_CHECK(!image.empty());
  const cv::Mat gray = ToGray(image);
  const cv::Ptr<cv::aruco::Dictionary> dictionary =
      cv::aruco::getPredefinedDictionary(options.dictionary_id);
  const int marker_cells = dictionary->markerSize + 2;  // code plus the black border

  std::vector<std::vector<cv::Point2f>> corners;
  std::vector<int> ids;
  ImageDetections out;
  const cv::Rect full(0, 0, gray.cols, gray.rows);
  if (regions.empty()) {
    out.full_frame = true;
    DetectRegion(gray, full, dictionary, options, marker_cells, &corners, &ids);
  } else {
    for (const cv::Rect& r : regions) {
      const cv::Rect clipped = r & full;
      if (clipped.width < 8 || clipped.height < 8) continue;
      DetectRegion(gray, clipped, dictionary, options, marker_cells, &corners, &ids);
    }
  }

  std::map<int, int> count;
  for (int id : ids) ++count[id];
  for (const auto& [id, n] : count) {
    if (set.Find(id) == nullptr) {
      out.unknown_ids.push_back(id);
    } else if (n > 1) {
      out.duplicate_ids.push_back(id);
    }
  }
  for (size_t k = 0; k < ids.size(); ++k) {
    if (set.Find(ids[k]) == nullptr || count[ids[k]] > 1) continue;
    MarkerObservation obs;
    obs.id = ids[k];
    for (int i = 0; i < 4; ++i) obs.corners_px[i] = Eigen::Vector2d(corners[k][i].x, corners[k][i].y);
    out.markers.push_back(obs);
  }
  return out;
}

std::vector<cv::Rect> MergeRegions(std::vector<cv::Rect> rects, const cv::Rect& bounds) {
  for (auto& r : rects) r &= bounds;
  rects.erase(std::remove_if(rects.begin(), rects.end(), [](const cv::Rect& r) { return r.empty(); }),
              rects.end());
  bool merged = true;
  while (merged) {
    merged = false;
    for (size_t i = 0; i < rects.size() && !merged; ++i) {
      for (size_t j = i + 1; j < rects.size(); ++j) {
        if ((rects[i] & rects[j]).area() > 0) {
          rects[i] |= rects[j];
          rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
          break;
        }
      }
    }
  }
  return rects;
}

MarkerTracker::MarkerTracker(std::vector<Camera> cameras, MarkerSet set, DetectionOptions detection,
                             TrackingOptions tracking)
    : cameras_(std::move(cameras)),
      set_(std::move(set)),
      detection_(detection),
      tracking_(tracking),
      camera_states_(cameras_.size()) {
  detection_.Check();
  tracking_.Check();
}

std::map<int, std::array<Eigen::Vector2d, 4>> MarkerTracker::Predict(int c) const {
  const Camera& cam = cameras_[c];
  const CameraState& cs = camera_states_[c];
  std::map<int, std::array<Eigen::Vector2d, 4>> out;
  const Eigen::Vector3d center_in_world = cam.CenterInWorld();
  for (const auto& [id, st] : markers_) {
    const int64_t age = frame_ - st.frame;
    if (age > tracking_.max_prediction_age) continue;
    std::array<Eigen::Vector3d, 4> X;
    for (int i = 0; i < 4; ++i) {
      X[i] = st.corners[i];
      if (st.has_velocity) X[i] += static_cast<double>(age) * st.velocity[i];
    }
    // The printed face looks along +z of the marker: (c3 - c0) x (c1 - c0).
    const Eigen::Vector3d normal = (X[3] - X[0]).cross(X[1] - X[0]).normalized();
    const Eigen::Vector3d centre = 0.25 * (X[0] + X[1] + X[2] + X[3]);
    const double facing = normal.dot((center_in_world - centre).normalized());
    if (!st.single_view && !(facing > tracking_.min_facing_cosine)) continue;
    std::array<Eigen::Vector2d, 4> px;
    bool ok = true;
    for (int i = 0; i < 4 && ok; ++i) {
      ok = cam.Project(X[i], &px[i]) && px[i].x() >= 0 && px[i].y() >= 0 &&
           px[i].x() < cam.width && px[i].y() < cam.height;
    }
    double perimeter = 0;
    for (int i = 0; i < 4 && ok; ++i) perimeter += (px[i] - px[(i + 1) % 4]).norm();
    if (ok && perimeter >= detection_.min_marker_perimeter_px) out[id] = px;
  }
  // Markers this camera saw last frame without a 3D state (one camera only).
  for (const auto& [id, seen] : cs.last_seen) {
    if (out.count(id) == 0 && seen.second == frame_ - 1) out[id] = seen.first;
  }
  return out;
}

ImageDetections MarkerTracker::DetectCamera(int c, const cv::Mat& image, double* searched_fraction,
                                            bool* lost_pass) {
  CameraState& cs = camera_states_[c];
  const int n_cams = static_cast<int>(cameras_.size());
  const int interval = tracking_.full_frame_interval;
  // Staggered so the cameras' full-frame passes fall on different frames.
  const bool periodic = !tracking_.enabled || frame_ == 0 ||
                        (frame_ + static_cast<int64_t>(c) * interval / std::max(1, n_cams)) %
                                interval == 0;
  *searched_fraction = 1.0;
  *lost_pass = false;
  if (periodic) {
    ImageDetections det = DetectMarkersInImage(image, set_, detection_);
    cs.last_full_frame = frame_;
    // Start over: what is predicted but not in the image is suppressed.
    cs.suppressed.clear();
    std::set<int> found;
    for (const auto& m : det.markers) found.insert(m.id);
    for (const auto& [id, px] : Predict(c)) {
      if (found.count(id) == 0) cs.suppressed.insert(id);
    }
    return det;
  }
  const auto predicted = Predict(c);
  std::vector<cv::Rect> rois;
  for (const auto& [id, px] : predicted) {
    Eigen::Vector2d lo = px[0], hi = px[0];
    double side = 0;
    for (int i = 0; i < 4; ++i) {
      lo = lo.cwiseMin(px[i]);
      hi = hi.cwiseMax(px[i]);
      side += 0.25 * (px[i] - px[(i + 1) % 4]).norm();
    }
    const double m = std::max(tracking_.roi_margin_px, tracking_.roi_margin_fraction * side);
    const int x0 = static_cast<int>(std::floor(lo.x() - m)), y0 = static_cast<int>(std::floor(lo.y() - m));
    const int x1 = static_cast<int>(std::ceil(hi.x() + m)), y1 = static_cast<int>(std::ceil(hi.y() + m));
    rois.emplace_back(x0, y0, x1 - x0, y1 - y0);
  }
  const cv::Rect bounds(0, 0, image.cols, image.rows);
  rois = MergeRegions(std::move(rois), bounds);
  ImageDetections det;
  if (!rois.empty()) det = DetectMarkersInImage(image, set_, detection_, rois);
  double area = 0;
  for (const auto& r : rois) area += r.area();
  *searched_fraction = area / std::max(1.0, static_cast<double>(bounds.area()));

  std::set<int> found;
  for (const auto& m : det.markers) found.insert(m.id);
  for (int id : det.duplicate_ids) found.insert(id);
  std::vector<int> missing;
  for (const auto& [id, px] : predicted) {
    // Suppressed markers are still searched in their crops (cheap) but do
    // not count as lost until they are seen again.
    if (found.count(id) == 0 && cs.suppressed.count(id) == 0) missing.push_back(id);
  }
  if (missing.empty()) return det;
  // A miss: first a wider crop around each missing marker (a faster move than
  // predicted), away from the crops already searched.
  std::vector<cv::Rect> wide;
  for (int id : missing) {
    const auto& px = predicted.at(id);
    Eigen::Vector2d lo = px[0], hi = px[0];
    for (int i = 0; i < 4; ++i) lo = lo.cwiseMin(px[i]), hi = hi.cwiseMax(px[i]);
    const double side = std::max(hi.x() - lo.x(), hi.y() - lo.y());
    const double m = tracking_.lost_search_scale *
                     std::max(tracking_.roi_margin_px, tracking_.roi_margin_fraction * side);
    wide.emplace_back(static_cast<int>(lo.x() - m), static_cast<int>(lo.y() - m),
                      static_cast<int>(hi.x() - lo.x() + 2 * m), static_cast<int>(hi.y() - lo.y() + 2 * m));
  }
  wide = MergeRegions(std::move(wide), bounds);
  // Only what the first crops did not cover: a region overlapping them is
  // searched whole, so drop first-pass detections inside it.
  ImageDetections retry = DetectMarkersInImage(image, set_, detection_, wide);
  for (const auto& m : retry.markers) {
    if (found.insert(m.id).second) det.markers.push_back(m);
  }
  for (int id : retry.unknown_ids) {
    if (std::find(det.unknown_ids.begin(), det.unknown_ids.end(), id) == det.unknown_ids.end()) {
      det.unknown_ids.push_back(id);
    }
  }
  std::vector<int> still;
  for (int id : missing) {
    if (found.count(id) == 0) still.push_back(id);
  }
  if (still.empty()) return det;
  if (frame_ - cs.last_full_frame < tracking_.min_lost_pass_interval) {
    // Mostly a marker that is occluded or at the edge of decodability: a
    // full pass per such frame would cost the speed and find nothing.
    for (int id : still) cs.suppressed.insert(id);
    return det;
  }
  // Lost: search the whole image; what is still missing is suppressed.
  ImageDetections full = DetectMarkersInImage(image, set_, detection_);
  cs.last_full_frame = frame_;
  std::set<int> found_full;
  for (const auto& m : full.markers) found_full.insert(m.id);
  for (int id : still) {
    if (found_full.count(id) == 0) cs.suppressed.insert(id);
  }
  *searched_fraction = 1.0;
  *lost_pass = true;
  return full;
}

void MarkerTracker::UpdateState(const FrameDetections& detections) {
  std::map<int, std::vector<std::pair<int, const MarkerObservation*>>> by_id;
  for (size_t c = 0; c < detections.size(); ++c) {
    CameraState& cs = camera_states_[c];
    for (const auto& m : detections[c].markers) {
      by_id[m.id].push_back({static_cast<int>(c), &m});
      cs.last_seen[m.id] = {m.corners_px, frame_};
      cs.suppressed.erase(m.id);
    }
  }
  for (const auto& [id, obs] : by_id) {
    std::array<Eigen::Vector3d, 4> X;
    bool ok = true;
    if (obs.size() == 1) {
      // One camera: the marker's known size gives its pose (depth to a few
      // per cent), enough to place a crop in the other cameras.
      ok = SingleViewCorners(cameras_[obs[0].first], *obs[0].second, set_.Find(id)->length_m, &X);
    }
    for (int i = 0; i < 4 && ok && obs.size() >= 2; ++i) {
      std::vector<int> cams;
      std::vector<Eigen::Vector2d> normalized;
      for (const auto& [c, m] : obs) {
        cams.push_back(c);
        normalized.push_back(cameras_[c].NormalizedFromImage(m->corners_px[i]));
      }
      ok = TriangulateDlt(cameras_, cams, normalized, &X[i]);
    }
    if (!ok) continue;
    auto it = markers_.find(id);
    if (it != markers_.end() && it->second.frame == frame_ - 1) {
      for (int i = 0; i < 4; ++i) it->second.velocity[i] = X[i] - it->second.corners[i];
      it->second.has_velocity = true;
    } else {
      MarkerState fresh;
      markers_[id] = fresh;
      it = markers_.find(id);
    }
    it->second.corners = X;
    it->second.frame = frame_;
    it->second.single_view = obs.size() == 1;
  }
}

FrameDetections MarkerTracker::Track(const std::vector<cv::Mat>& images) {
  HL_CHECK(images.size() == cameras_.size());
  const int n = static_cast<int>(images.size());
  FrameDetections out(n);
  std::vector<double> searched(n, 0.0);
  std::vector<char> lost(n, 0);
  cv::parallel_for_(cv::Range(0, n), [&](const cv::Range& range) {
    for (int c = range.start; c < range.end; ++c) {
      if (images[c].empty()) continue;
      bool lost_pass = false;
      out[c] = DetectCamera(c, images[c], &searched[c], &lost_pass);
      lost[c] = lost_pass ? 1 : 0;
    }
  });
  int images_used = 0;
  double fraction_sum = 0;
  for (int c = 0; c < n; ++c) {
    if (images[c].empty()) continue;
    ++images_used;
    fraction_sum += searched[c];
    if (out[c].full_frame) {
      ++stats_.full_frame_passes;
      if (lost[c]) ++stats_.lost_passes;
    } else {
      ++stats_.roi_passes;
    }
  }
  UpdateState(out);
  if (images_used > 0) {
    const double mean = fraction_sum / images_used;
    stats_.searched_pixel_fraction +=
        (mean - stats_.searched_pixel_fraction) / static_cast<double>(stats_.frame_sets + 1);
  }
  ++stats_.frame_sets;
  ++frame_;
  return out;
}

}  // namespace hl
