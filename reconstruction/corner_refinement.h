#pragma once

// Sub-pixel corners of a detected square marker from its four edges.
//
// Corners as intersections of lines fitted to sub-pixel edge points of the
// four sides. An edge point is the gradient peak of the intensity profile
// across the side (parabola through the three largest samples): under a
// symmetric blur that is the true edge, where cornerSubPix, made for saddle
// corners, pulls an L-shaped corner into the dark square. Returns false (and
// leaves q alone) when a side yields too few points.
// `q` holds the 4 polygon corners (pixels of `gray`, CV_8UC1) in order;
// `cell_px` is the marker's cell size, which bounds the profile's reach so
// it stays inside the black border.

#include <vector>

#include <opencv2/core.hpp>

namespace hl {

bool RefineCornersByEdges(const cv::Mat& gray, double cell_px, std::vector<cv::Point2f>* q);

}  // namespace hl
