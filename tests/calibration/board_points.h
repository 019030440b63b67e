#pragma once

// Board views as the point lists cv::calibrateCamera takes, for tests that
// compare our calibration with OpenCV's on the same corners.

#include <opencv2/core.hpp>
#include <vector>

#include "calibration/board.h"

namespace hl::test {

inline void AppendViewPoints(const Board& board, const BoardView& view,
                             std::vector<std::vector<cv::Point3f>>* object_points,
                             std::vector<std::vector<cv::Point2f>>* image_points) {
  object_points->emplace_back();
  image_points->emplace_back();
  for (size_t k = 0; k < view.ids.size(); ++k) {
    const Eigen::Vector3d& p = board.CornerInBoard(view.ids[k]);
    object_points->back().emplace_back(p.x(), p.y(), p.z());
    image_points->back().emplace_back(view.corners[k].x(), view.corners[k].y());
  }
}

}  // namespace hl::test
