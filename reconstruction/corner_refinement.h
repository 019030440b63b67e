#pragma once

// Sub-pixel corners of a detected square marker from its four edges.
//
// Corners as intersections of lines fitted to sub-pixel edge points of the
// four sides. An edge point is where a side crosses a pixel row (steep side)
// or column, from the black area of a short run of pixels across it between
// the black border's and the quiet zone's levels: exact for an area-sampled
// straight edge under any symmetric blur and at any phase to the pixel grid
// (a gradient peak is not: on a sharp side parallel to the grid it is flat
// over a whole pixel, which cost 0.49 px RMS at 0 deg roll). cornerSubPix,
// made for saddle corners, pulls an L-shaped corner into the dark square.
// Pixel centres are at integer coordinates (OpenCV's convention). Fits in
// pixels, without undistortion: the sides of a small marker are straight
// enough. Returns false (and leaves q alone) when a side yields too few points.
// `q` holds the 4 polygon corners (pixels of `gray`, CV_8UC1) in order;
// `cell_px` is the marker's cell size, which bounds the runs' reach so they
// stay inside the black border.

#include <vector>

#include <opencv2/core.hpp>

namespace hl {

bool RefineCornersByEdges(const cv::Mat& gray, double cell_px, std::vector<cv::Point2f>* q);

}  // namespace hl
