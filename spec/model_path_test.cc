#include "spec/model_path.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::spec {
namespace {

// FIPS 180-2's first SHA-256 example: the digest of "abc".
constexpr char kAbcDigest[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// Writes `bytes` to a fresh file under TEST_TMPDIR and returns its path.
std::string WriteTempFile(const std::string& name, const std::string& bytes) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  EXPECT_NE(tmp, nullptr);
  const std::string path = std::string(tmp == nullptr ? "." : tmp) + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  EXPECT_TRUE(out.good()) << path;
  return path;
}

bool Mentions(const absl::Status& status, const std::string& text) {
  return status.message().find(text) != absl::string_view::npos;
}

TEST(ModelPathTest, TellsPathsFromZooNames) {
  EXPECT_TRUE(IsModelPath("net.pt"));
  EXPECT_TRUE(IsModelPath("/models/net.pth"));
  EXPECT_TRUE(IsModelPath("dir/net.ts"));
  EXPECT_FALSE(IsModelPath("resnet50"));
  EXPECT_FALSE(IsModelPath("net.onnx"));
  EXPECT_FALSE(IsModelPath("net.pt.bak"));
  EXPECT_FALSE(IsModelPath(""));
}

TEST(ModelPathTest, ValidatesWithoutTouchingTheFileSystem) {
  EXPECT_TRUE(ValidateModelPath("/nowhere/net.pt").ok());
  EXPECT_TRUE(ValidateModelPath("net.pth").ok());

  absl::Status status = ValidateModelPath("net.onnx");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "\"net.onnx\"")) << status;
  EXPECT_TRUE(Mentions(status, ".pt, .pth or .ts")) << status;

  status = ValidateModelPath(std::string("a\0b.pt", 6));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "NUL")) << status;
  EXPECT_TRUE(Mentions(status, "a\\0b.pt")) << status;

  EXPECT_TRUE(ValidateModelPath(std::string(4093, 'a') + ".pt").ok());
  status = ValidateModelPath(std::string(4094, 'a') + ".pt");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, "longer than 4096")) << status;
  EXPECT_LT(status.message().size(), 400u);  // the path is cut short

  EXPECT_EQ(ValidateModelPath("dir/.pt").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ModelPathTest, ReadsAndDigestsTheFile) {
  // Larger than ReadModelFile's 64 KiB buffer, with a NUL inside.
  std::string large(200000, 'x');
  large[1234] = '\0';
  const std::string large_path = WriteTempFile("large.pt", large);
  absl::StatusOr<std::string> bytes = ReadModelFile(large_path);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, large);

  absl::StatusOr<std::string> digest =
      ModelFileDigest(WriteTempFile("abc.pt", "abc"));
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, kAbcDigest);
}

TEST(ModelPathTest, MissingFileIsNotFoundNamingThePath) {
  const absl::Status status =
      ModelFileDigest("no/such/dir/missing.pt").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Mentions(status, "\"no/such/dir/missing.pt\"")) << status;
}

TEST(ModelPathTest, DirectoryIsInvalidArgument) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const std::string dir = std::string(tmp) + "/dir.pt";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  const absl::Status status = ReadModelFile(dir).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(status, dir)) << status;
}

}  // namespace
}  // namespace benchfleet::spec
