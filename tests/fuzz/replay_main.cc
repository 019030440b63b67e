// Replays a fuzz target without libFuzzer: every seed file as is, then
// zero-length, truncated and bit-flipped variants from a fixed seed. Any
// crash, sanitizer report or escaped exception fails the test.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

static void Run(const std::vector<uint8_t>& bytes) {
  LLVMFuzzerTestOneInput(bytes.empty() ? nullptr : bytes.data(), bytes.size());
}

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& e : fs::recursive_directory_iterator(argv[i])) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(argv[i])) {
      files.push_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no seed files found\n");
    return 1;
  }
  std::mt19937_64 rng(20261125);
  size_t runs = 0;
  Run({});
  ++runs;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Run(seed);
    ++runs;
    const size_t n = seed.size();
    // Cheaper mutations on large seeds keep the replay to seconds.
    const int budget = n > 200000 ? 40 : 300;
    // Truncations: every short prefix, then spread over the file.
    for (size_t len = 0; len < std::min<size_t>(n, 64); ++len) {
      Run(std::vector<uint8_t>(seed.begin(), seed.begin() + len));
      ++runs;
    }
    for (int k = 0; k < budget / 3 && n > 0; ++k) {
      const size_t len = rng() % n;
      Run(std::vector<uint8_t>(seed.begin(), seed.begin() + len));
      ++runs;
    }
    // Bit flips and byte overwrites, with a bias to the first 2 KiB where
    // headers live.
    for (int k = 0; k < budget && n > 0; ++k) {
      std::vector<uint8_t> m = seed;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int j = 0; j < flips; ++j) {
        const size_t limit = (rng() % 2) ? std::min<size_t>(n, 2048) : n;
        const size_t pos = rng() % limit;
        if (rng() % 3 == 0) {
          static const uint8_t kSpecial[] = {0x00, 0xFF, 0x7F, 0x80, 0x01, '-', '9', ',', '\n'};
          m[pos] = kSpecial[rng() % sizeof(kSpecial)];
        } else {
          m[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
        }
      }
      Run(m);
      ++runs;
    }
  }
  std::printf("replayed %zu inputs from %zu seed files without a crash\n", runs, files.size());
  return 0;
}
