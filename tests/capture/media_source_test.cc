#include "capture/media_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "core/error.h"

namespace hl {
namespace {
namespace fs = std::filesystem;

// A fresh folder per test, removed afterwards.
class MediaSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hl_media_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A gray image whose pixels encode `value`, so order mix-ups show.
  static cv::Mat Image(int value, cv::Size size = {32, 24}) {
    cv::Mat m(size, CV_8UC1);
    for (int r = 0; r < m.rows; ++r) {
      for (int c = 0; c < m.cols; ++c) m.at<uint8_t>(r, c) = static_cast<uint8_t>(value + r + c);
    }
    return m;
  }
  static void WriteText(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  // The error OpenOrThrow / GrabOrThrow raise for `source`, or "" when none.
  static std::string ErrorOf(FrameSource& source, int grabs = 0) {
    try {
      source.OpenOrThrow();
      Frame f;
      for (int i = 0; i < grabs; ++i) source.GrabOrThrow(&f);
    } catch (const Error& e) {
      EXPECT_EQ(e.where(), source.name());
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(MediaSourceTest, FolderIsSortedByNameWithNumbersByValue) {
  const fs::path cam = dir_ / "cam0";
  fs::create_directories(cam);
  const std::vector<std::string> names = {"img10.png", "img2.png", "img1.png", "img9.png"};
  const std::vector<int> values = {40, 20, 10, 30};  // by natural order: img1, img2, img9, img10
  for (size_t i = 0; i < names.size(); ++i)
    cv::imwrite((cam / names[i]).string(), Image(values[i]));
  WriteText(cam / "notes.txt", "not an image");
  WriteText(cam / "000011.png.tmp", "half written");
  WriteText(cam / ".hidden.png", "editor swap");

  auto source = OpenMedia("cam0", cam.string());
  ASSERT_NE(dynamic_cast<ImageSequenceSource*>(source.get()), nullptr);
  ASSERT_TRUE(source->Open()) << source->failure();
  EXPECT_EQ(source->FrameCount(), 4);
  EXPECT_EQ(source->size(), cv::Size(32, 24));
  EXPECT_EQ(source->fps(), 0.0);
  Frame f;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(source->Grab(&f)) << source->failure();
    EXPECT_EQ(f.index, i);
    EXPECT_TRUE(std::isnan(f.timestamp_s));  // no rate, no timestamps file
    EXPECT_EQ(cv::norm(f.image, Image(10 * (i + 1)), cv::NORM_INF), 0.0) << "frame " << i;
  }
  EXPECT_FALSE(source->Grab(&f));
  EXPECT_EQ(source->failure(), "");  // a normal end

  SourceOptions opts;
  opts.fps = 50;
  auto timed = OpenMedia("cam0", cam.string() + "/", opts);
  ASSERT_TRUE(timed->Open()) << timed->failure();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(timed->Grab(&f));
    EXPECT_DOUBLE_EQ(f.timestamp_s, i / 50.0);
  }
}

TEST_F(MediaSourceTest, PrintfPatternSkipsGapsAndOtherNames) {
  const fs::path cam = dir_ / "cam1";
  fs::create_directories(cam);
  cv::imwrite((cam / "000001.png").string(), Image(1));
  cv::imwrite((cam / "000002.png").string(), Image(2));
  cv::imwrite((cam / "000005.png").string(), Image(5));
  cv::imwrite((cam / "00007.png").string(), Image(7));  // five digits: not %06d
  cv::imwrite((cam / "x000003.png").string(), Image(3));

  auto source = OpenMedia("cam1", (cam / "%06d.png").string());
  ASSERT_TRUE(source->Open()) << source->failure();
  ASSERT_EQ(source->FrameCount(), 3);
  Frame f;
  for (int value : {1, 2, 5}) {
    ASSERT_TRUE(source->Grab(&f));
    EXPECT_EQ(cv::norm(f.image, Image(value), cv::NORM_INF), 0.0) << value;
  }
  EXPECT_FALSE(source->Grab(&f));

  auto any_width = OpenMedia("cam1", (cam / "%d.png").string());
  ASSERT_TRUE(any_width->Open());
  EXPECT_EQ(any_width->FrameCount(), 4);  // 1, 2, 5, 7
}

TEST_F(MediaSourceTest, TimestampsFileGivesIndicesAndTimesAndEndsTheStream) {
  const fs::path cam = dir_ / "take" / "cam0";
  fs::create_directories(cam);
  for (int i = 0; i < 4; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "%06d.png", i);
    cv::imwrite((cam / name).string(), Image(i));
  }
  // Four images but three whole rows: the fourth frame was being written when
  // the take was killed, and so was the partial last line.
  WriteText(dir_ / "take" / "cam0.timestamps.csv",
            "frame,timestamp_s\r\n0,0\r\n2,0.0667\n3,0.1000000000000001\n4,0.13");
  auto source = OpenMedia("cam0", cam.string());
  ASSERT_TRUE(source->Open()) << source->failure();
  EXPECT_EQ(source->FrameCount(), 3);
  Frame f;
  const int64_t indices[] = {0, 2, 3};
  const double times[] = {0.0, 0.0667, 0.1000000000000001};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(source->Grab(&f));
    EXPECT_EQ(f.index, indices[i]);
    EXPECT_EQ(f.timestamp_s, times[i]);  // exact: the text is parsed, not recomputed
  }
  EXPECT_FALSE(source->Grab(&f));
  EXPECT_EQ(source->failure(), "");
}

TEST_F(MediaSourceTest, VideoFileReadsBackWithItsRate) {
  const fs::path video = dir_ / "cam2.avi";
  {
    cv::VideoWriter w(video.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25.0,
                      cv::Size(64, 48), false);
    ASSERT_TRUE(w.isOpened());
    for (int i = 0; i < 10; ++i) w.write(Image(20 * i, {64, 48}));
  }
  SourceOptions opts;
  opts.grayscale = true;
  auto source = OpenMedia("cam2", video.string(), opts);
  ASSERT_NE(dynamic_cast<VideoFileSource*>(source.get()), nullptr);
  ASSERT_TRUE(source->Open()) << source->failure();
  EXPECT_DOUBLE_EQ(source->fps(), 25.0);
  EXPECT_EQ(source->size(), cv::Size(64, 48));
  EXPECT_EQ(source->FrameCount(), 10);
  Frame f;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(source->Grab(&f)) << source->failure();
    ASSERT_EQ(f.image.type(), CV_8UC1);
    EXPECT_EQ(f.index, i);
    EXPECT_DOUBLE_EQ(f.timestamp_s, i / 25.0);
    // MJPG is lossy: close on average, and frame i not mistaken for i +- 1.
    EXPECT_LT(cv::norm(f.image, Image(20 * i, {64, 48}), cv::NORM_L1) / f.image.total(), 3.0);
  }
  EXPECT_FALSE(source->Grab(&f));
}

TEST_F(MediaSourceTest, BadInputNamesCameraAndPath) {
  const std::string missing = (dir_ / "nope").string();
  auto src = OpenMedia("camA", missing);
  std::string err = ErrorOf(*src);
  EXPECT_NE(err.find("camA: "), std::string::npos) << err;
  EXPECT_NE(err.find(missing), std::string::npos) << err;

  fs::create_directories(dir_ / "empty");
  src = OpenMedia("camB", (dir_ / "empty").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("holds no images"), std::string::npos) << err;
  EXPECT_NE(err.find((dir_ / "empty").string()), std::string::npos) << err;

  fs::create_directories(dir_ / "broken");
  WriteText(dir_ / "broken" / "000000.png", "this is not a png");
  src = OpenMedia("camC", (dir_ / "broken").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("cannot read image " + (dir_ / "broken" / "000000.png").string()),
            std::string::npos)
      << err;

  fs::create_directories(dir_ / "mixed");
  cv::imwrite((dir_ / "mixed" / "a.png").string(), Image(0, {32, 24}));
  cv::imwrite((dir_ / "mixed" / "b.png").string(), Image(0, {24, 32}));
  src = OpenMedia("camD", (dir_ / "mixed").string());
  err = ErrorOf(*src, 2);
  EXPECT_NE(err.find("b.png is 24x32 but"), std::string::npos) << err;
  EXPECT_NE(err.find("a.png is 32x24"), std::string::npos) << err;

  src = OpenMedia("camE", (dir_ / "mixed" / "%s.png").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("integer conversion"), std::string::npos) << err;

  src = OpenMedia("camF", (dir_ / "mixed" / "%06d.png").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("no file matches pattern"), std::string::npos) << err;

  WriteText(dir_ / "garbage.avi", std::string(4096, 'x'));
  src = OpenMedia("camG", (dir_ / "garbage.avi").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("cannot open video " + (dir_ / "garbage.avi").string()), std::string::npos)
      << err;

  src = OpenMedia("camH", "/dev/video97");
  ASSERT_NE(dynamic_cast<DeviceSource*>(src.get()), nullptr);
  if (!fs::exists("/dev/video97")) {
    err = ErrorOf(*src);
    EXPECT_EQ(err, "camH: cannot open device /dev/video97; check it is connected (ls /dev/video*)");
  }

  fs::create_directories(dir_ / "t" / "cam0");
  cv::imwrite((dir_ / "t" / "cam0" / "0.png").string(), Image(0));
  WriteText(dir_ / "t" / "cam0.timestamps.csv", "frame,timestamp_s\n0,0.0\n1;0.1\n");
  src = OpenMedia("cam0", (dir_ / "t" / "cam0").string());
  err = ErrorOf(*src);
  EXPECT_NE(err.find("cam0.timestamps.csv: line 3: expected 'frame,timestamp_s'"),
            std::string::npos)
      << err;
}

TEST(TimestampsCsvTest, ParsesAndRejects) {
  auto rows = ParseTimestampsCsv("frame,timestamp_s\n0,1.5\n\n7,-2e-3\n9,", "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].frame, 7);
  EXPECT_EQ(rows[1].timestamp_s, -2e-3);
  EXPECT_TRUE(ParseTimestampsCsv("", "t.csv").empty());
  EXPECT_TRUE(ParseTimestampsCsv("frame,timestamp_s", "t.csv").empty());

  auto message = [](const std::string& text) -> std::string {
    try {
      ParseTimestampsCsv(text, "t.csv");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message("frame,timestamp_s\n3,0.1\n3,0.2\n"),
            "t.csv: line 3: frame 3 does not follow frame 3; frame numbers must increase");
  EXPECT_NE(message("time,x\n").find("line 1: expected the header"), std::string::npos);
  EXPECT_NE(message("0,nan\n").find("line 1: expected 'frame,timestamp_s'"), std::string::npos);
  EXPECT_NE(message("0,1,2\n").find("line 1"), std::string::npos);
  EXPECT_NE(message("99999999999999999999,1\n").find("line 1"), std::string::npos);
}

TEST(NaturalLessTest, ComparesNumbersByValue) {
  EXPECT_TRUE(NaturalLess("img2.png", "img10.png"));
  EXPECT_FALSE(NaturalLess("img10.png", "img2.png"));
  EXPECT_TRUE(NaturalLess("999999.png", "1000000.png"));
  EXPECT_TRUE(NaturalLess("a.png", "b.png"));
  EXPECT_FALSE(NaturalLess("a.png", "a.png"));
  EXPECT_TRUE(NaturalLess("01.png", "001.png") != NaturalLess("001.png", "01.png"));
  EXPECT_TRUE(NaturalLess("cam", "cam0"));
}

}  // namespace
}  // namespace hl
