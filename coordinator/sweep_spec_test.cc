#include "coordinator/sweep_spec.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

namespace fs = std::filesystem;

v1::SweepSpec ParseOrDie(const std::string& text) {
  absl::StatusOr<v1::SweepSpec> spec = ParseSweepText(text, "test.textproto");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : v1::SweepSpec();
}

void ExpectInvalid(const v1::SweepSpec& spec, const std::string& needle) {
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  EXPECT_EQ(jobs.status().code(), absl::StatusCode::kInvalidArgument) << needle;
  EXPECT_NE(jobs.status().message().find(needle), std::string::npos)
      << "missing \"" << needle << "\" in: " << jobs.status().message();
}

v1::SweepSpec Minimal() {
  v1::SweepSpec spec;
  spec.set_name("minimal");
  spec.add_models("resnet18");
  spec.add_batch_sizes(1);
  return spec;
}

TEST(ParseSweepTextTest, ParsesEveryField) {
  const v1::SweepSpec spec = ParseOrDie(R"pb(
    name: "s"
    models: [ "resnet18", "resnet50" ]
    batch_sizes: [ 1, 8 ]
    modes: [ MODE_INFERENCE, MODE_TRAINING ]
    inputs { channels: 3 height: 64 width: 32 }
    precisions: PRECISION_BF16
    devices: DEVICE_KIND_CPU
    thread_counts: 4
    budget { max_seconds: 2 }
  )pb");
  EXPECT_EQ(spec.name(), "s");
  EXPECT_EQ(spec.models_size(), 2);
  EXPECT_EQ(spec.batch_sizes(1), 8);
  EXPECT_EQ(spec.modes(1), v1::MODE_TRAINING);
  EXPECT_EQ(spec.inputs(0).width(), 32);
  EXPECT_EQ(spec.precisions(0), v1::PRECISION_BF16);
  EXPECT_EQ(spec.thread_counts(0), 4);
  EXPECT_EQ(spec.budget().max_seconds(), 2);
}

// Users edit these files by hand: the error must lead them to the spot.
TEST(ParseSweepTextTest, UnknownFieldNamesFileLineAndField) {
  const std::string text =
      "name: \"typo\"\n"
      "batch_sizes: 1\n"
      "modelz: \"x\"\n";
  absl::StatusOr<v1::SweepSpec> spec = ParseSweepText(text, "sweeps/typo.textproto");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(spec.status().message());
  EXPECT_NE(message.find("sweeps/typo.textproto"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("modelz"), std::string::npos) << message;
}

TEST(ParseSweepTextTest, SyntaxErrorNamesFileAndLine) {
  absl::StatusOr<v1::SweepSpec> spec =
      ParseSweepText("name: \"s\"\nbatch_sizes: [1, 2\n", "broken.textproto");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(spec.status().message());
  EXPECT_NE(message.find("broken.textproto"), std::string::npos) << message;
  EXPECT_NE(message.find("line "), std::string::npos) << message;
}

// The parser's complaint for a bad value names the value, not the field; the
// 1-based line and column point at it.
TEST(ParseSweepTextTest, WrongValueTypeNamesLineColumnAndValue) {
  absl::StatusOr<v1::SweepSpec> spec =
      ParseSweepText("name: \"s\"\n\nbatch_sizes: \"big\"\n", "f.textproto");
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(spec.status().message());
  EXPECT_NE(message.find("f.textproto: line 3, column 14"), std::string::npos)
      << message;
  EXPECT_NE(message.find("big"), std::string::npos) << message;
}

TEST(ExpandSweepTest, ProductSizeAndOrder) {
  v1::SweepSpec spec;
  spec.set_name("product");
  spec.add_models("resnet18");
  spec.add_models("resnet50");
  v1::InputShape* small = spec.add_inputs();
  small->set_channels(3);
  small->set_height(64);
  small->set_width(64);
  v1::InputShape* large = spec.add_inputs();
  large->set_channels(3);
  large->set_height(128);
  large->set_width(128);
  spec.add_batch_sizes(1);
  spec.add_batch_sizes(4);
  spec.add_batch_sizes(16);
  spec.add_modes(v1::MODE_INFERENCE);
  spec.add_modes(v1::MODE_TRAINING);
  spec.add_precisions(v1::PRECISION_FP32);
  spec.add_precisions(v1::PRECISION_BF16);

  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 2u * 2 * 3 * 2 * 2);

  // Nesting, outermost first: models, inputs, batch sizes, modes,
  // precisions. Rebuild the expected order and compare job by job.
  size_t i = 0;
  for (const std::string model : {"resnet18", "resnet50"}) {
    for (int side : {64, 128}) {
      for (int batch : {1, 4, 16}) {
        for (v1::Mode mode : {v1::MODE_INFERENCE, v1::MODE_TRAINING}) {
          for (v1::Precision p : {v1::PRECISION_FP32, v1::PRECISION_BF16}) {
            const v1::BenchmarkSpec& job = (*jobs)[i++];
            EXPECT_EQ(job.model(), model) << i;
            EXPECT_EQ(job.input().height(), side) << i;
            EXPECT_EQ(job.batch_size(), batch) << i;
            EXPECT_EQ(job.mode(), mode) << i;
            EXPECT_EQ(job.precision(), p) << i;
          }
        }
      }
    }
  }
}

TEST(ExpandSweepTest, AppliesDefaults) {
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(Minimal());
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 1u);
  const v1::BenchmarkSpec& job = (*jobs)[0];
  EXPECT_EQ(job.model(), "resnet18");
  EXPECT_EQ(job.batch_size(), 1);
  EXPECT_EQ(job.mode(), v1::MODE_INFERENCE);
  EXPECT_EQ(job.precision(), v1::PRECISION_FP32);
  EXPECT_EQ(job.device(), v1::DEVICE_KIND_CPU);
  // The model's default input.
  EXPECT_EQ(job.input().channels(), 3);
  EXPECT_EQ(job.input().height(), 224);
  EXPECT_EQ(job.input().width(), 224);
  EXPECT_EQ(job.budget().min_iterations(), 10);
  EXPECT_EQ(job.threads(), 0);
}

TEST(ExpandSweepTest, CopiesSweepWideSettingsIntoEveryJob) {
  v1::SweepSpec spec = Minimal();
  spec.add_batch_sizes(2);
  spec.add_thread_counts(3);
  spec.mutable_budget()->set_max_iterations(77);
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 2u);
  for (const auto& job : *jobs) {
    EXPECT_EQ(job.threads(), 3);
    EXPECT_EQ(job.budget().max_iterations(), 77);
    // Unset budget fields still get their defaults.
    EXPECT_EQ(job.budget().warmup_iterations(), 2);
  }
}

TEST(ExpandSweepTest, UnknownModelIsNamed) {
  v1::SweepSpec spec = Minimal();
  spec.add_models("resnet5");
  ExpectInvalid(spec, "models[1] = \"resnet5\"");
}

TEST(ExpandSweepTest, BatchOfZeroIsNamed) {
  v1::SweepSpec spec = Minimal();
  spec.add_batch_sizes(0);
  ExpectInvalid(spec, "batch_sizes[1] = 0");
}

TEST(ExpandSweepTest, BadInputShapeIsNamed) {
  v1::SweepSpec spec = Minimal();
  v1::InputShape* input = spec.add_inputs();
  input->set_channels(3);
  input->set_height(-2);
  input->set_width(10);
  ExpectInvalid(spec, "inputs[0].height = -2");
}

TEST(ExpandSweepTest, BadBudgetIsNamed) {
  v1::SweepSpec spec = Minimal();
  spec.mutable_budget()->set_min_seconds(-1);
  ExpectInvalid(spec, "budget.min_seconds = -1");
}

TEST(ExpandSweepTest, EmptyProductsAreNamed) {
  v1::SweepSpec spec = Minimal();
  spec.clear_models();
  ExpectInvalid(spec, "models");

  spec = Minimal();
  spec.clear_batch_sizes();
  ExpectInvalid(spec, "batch_sizes");

  spec = Minimal();
  spec.clear_name();
  ExpectInvalid(spec, "name");
}

TEST(ExpandSweepTest, TooManyJobsIsRejectedWithTheLimit) {
  // 101 x 100 = 10100 jobs, just over the limit.
  v1::SweepSpec spec;
  spec.set_name("huge");
  for (int i = 0; i < 101; ++i) spec.add_models("resnet18");
  for (int b = 1; b <= 100; ++b) spec.add_batch_sizes(b);
  ExpectInvalid(spec, "10100 jobs");
  ExpectInvalid(spec, std::to_string(kMaxJobsPerSweep));

  // Lengths whose product passes 2^63 (256^6 x 512 x 100) must not wrap
  // around to a count under the limit (found while writing
  // //fuzz:sweep_spec_fuzzer).
  v1::SweepSpec overflow;
  overflow.set_name("overflow");
  for (int i = 0; i < 256; ++i) {
    overflow.add_models("resnet18");
    overflow.add_batch_sizes(1);
    overflow.add_modes(v1::MODE_INFERENCE);
    overflow.add_precisions(v1::PRECISION_FP32);
    overflow.add_devices(v1::DEVICE_KIND_CPU);
    overflow.add_thread_counts(0);
  }
  for (int i = 0; i < 512; ++i) {
    v1::InputShape* input = overflow.add_inputs();
    input->set_channels(1);
    input->set_height(1);
    input->set_width(1);
  }
  overflow.set_repeat(100);
  ExpectInvalid(overflow, "more than 2^63 jobs");

  // Exactly the limit is fine.
  spec.mutable_models()->RemoveLast();
  absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(spec);
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ(jobs->size(), static_cast<size_t>(kMaxJobsPerSweep));
}

TEST(ReadSweepFileTest, MissingFileIsNotFound) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(tmp ? tmp : "/tmp") + "/no_such_sweep.textproto";
  absl::StatusOr<v1::SweepSpec> spec = ReadSweepFile(path);
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(spec.status().message().find(path), std::string::npos)
      << spec.status().message();
}

// Every sweep shipped in deploy/sweeps must parse and expand, so a typo is
// caught here rather than at submit time.
TEST(ReadSweepFileTest, ShippedSweepsParseAndExpand) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  ASSERT_NE(srcdir, nullptr);
  const fs::path dir = fs::path(srcdir) / "benchfleet" / "deploy" / "sweeps";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".textproto") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no sweeps found in " << dir;

  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    absl::StatusOr<v1::SweepSpec> spec = ReadSweepFile(file.string());
    ASSERT_TRUE(spec.ok()) << spec.status();
    absl::StatusOr<std::vector<v1::BenchmarkSpec>> jobs = ExpandSweep(*spec);
    ASSERT_TRUE(jobs.ok()) << jobs.status();
    EXPECT_FALSE(jobs->empty());
  }
}

}  // namespace
}  // namespace benchfleet::coordinator

namespace benchfleet::coordinator {
namespace {

// Semantic errors in a file point at the offending line, not only the field.
TEST(ParseSweepTextTest, SemanticErrorsNameTheLine) {
  absl::StatusOr<v1::SweepSpec> spec = ParseSweepText(
      "name: \"s\"\n"
      "models: \"resnet18\"\n"
      "batch_sizes: [1, 0]\n"
      "inputs { channels: 3 height: 32 width: 32 }\n"
      "inputs {\n"
      "  channels: 3\n"
      "  height: 0\n"
      "  width: 8\n"
      "}\n",
      "bad.textproto");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("bad.textproto: line 3: batch_sizes[1] = 0"),
            std::string::npos)
      << spec.status().message();

  spec = ParseSweepText(
      "name: \"s\"\nmodels: \"resnet18\"\nbatch_sizes: 1\n"
      "inputs { channels: 3 height: 32 width: 32 }\n"
      "inputs {\n  channels: 3\n  height: 0\n  width: 8\n}\n",
      "bad.textproto");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("line 7: inputs[1].height = 0"),
            std::string::npos)
      << spec.status().message();

  // A map field's error points at its first entry (libprotobuf used to
  // throw here: found by //fuzz:sweep_spec_fuzzer).
  spec = ParseSweepText(
      "name: \"s\"\nmodels: \"resnet18\"\nbatch_sizes: 1\n"
      "selector { key: \"\" value: \"x\" }\n",
      "bad.textproto");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("bad.textproto: line 4: selector = "),
            std::string::npos)
      << spec.status().message();
}

}  // namespace
}  // namespace benchfleet::coordinator
