#include "agent/models/model_path.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::models {
namespace {

constexpr char kTinyCnn[] = "agent/models/testdata/tiny_cnn.pt";
// sha256sum agent/models/testdata/tiny_cnn.pt
constexpr char kTinyCnnDigest[] =
    "b981d69662221fd23213ba3cfa7bdb2683329a6a010ceac5b7012df7f7ba6d23";

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
  absl::StatusOr<std::string> bytes = ReadModelFile(kTinyCnn);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_GT(bytes->size(), 1000u);
  EXPECT_EQ(bytes->substr(0, 2), "PK");  // TorchScript files are zip archives

  absl::StatusOr<std::string> digest = ModelFileDigest(kTinyCnn);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, kTinyCnnDigest);
}

TEST(ModelPathTest, MissingFileIsNotFoundNamingThePath) {
  const absl::Status status =
      ModelFileDigest("agent/models/testdata/missing.pt").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Mentions(status, "\"agent/models/testdata/missing.pt\""))
      << status;
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
}  // namespace benchfleet::models
