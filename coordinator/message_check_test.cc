#include "coordinator/message_check.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace benchfleet::coordinator {
namespace {

void ExpectInvalid(const absl::Status& status, const std::string& needle) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << needle;
  EXPECT_NE(status.message().find(needle), std::string::npos)
      << "missing \"" << needle << "\" in: " << status.message();
}

v1::Hello HelloFrom(const std::string& agent_id) {
  v1::Hello hello;
  hello.set_agent_id(agent_id);
  return hello;
}

v1::Sample GoodSample() {
  v1::Sample s;
  s.set_job_id(7);
  s.set_attempt(1);
  s.set_sequence(0);
  s.set_phase(v1::PHASE_STEP);
  s.set_duration_ns(1500000);
  return s;
}

v1::SampleBatch BatchOf(const v1::Sample& s) {
  v1::SampleBatch batch;
  *batch.add_samples() = s;
  return batch;
}

v1::JobResult GoodResult() {
  v1::JobResult r;
  r.set_job_id(7);
  r.set_attempt(2);
  r.set_status(v1::JOB_STATUS_OK);
  r.mutable_spec()->set_batch_size(1);
  v1::DurationStats& s = *r.mutable_step();
  s.set_n(10);
  s.set_median_ms(12.5);
  s.set_mean_ms(12.7);
  s.set_min_ms(11.9);
  s.set_p90_ms(13.1);
  s.set_p99_ms(13.4);
  s.set_iqr_ms(0.4);
  s.set_stddev_ms(0.3);
  s.set_cv(0.02);
  r.set_items_per_second(80);
  return r;
}

TEST(CheckHelloTest, AcceptsPrintableIds) {
  EXPECT_TRUE(CheckHello(HelloFrom("a")).ok());
  EXPECT_TRUE(CheckHello(HelloFrom("host-1.example.com:agent_0")).ok());
  EXPECT_TRUE(CheckHello(HelloFrom(std::string(kMaxAgentIdLength, 'x'))).ok());
}

TEST(CheckHelloTest, RejectsEmptyAndOverlongIds) {
  ExpectInvalid(CheckHello(HelloFrom("")), "hello.agent_id");
  ExpectInvalid(CheckHello(HelloFrom(std::string(kMaxAgentIdLength + 1, 'x'))),
                "hello.agent_id");
  const absl::Status status = CheckHello(HelloFrom(std::string(200, 'x')));
  ExpectInvalid(status, "hello.agent_id");
  // The echoed id is cut short: a hostile id must not flood the logs.
  EXPECT_LT(status.message().size(), 200u) << status.message();
}

TEST(CheckHelloTest, RejectsSpacesAndControlCharacters) {
  ExpectInvalid(CheckHello(HelloFrom("my agent")), "hello.agent_id = \"my agent\"");
  ExpectInvalid(CheckHello(HelloFrom("agent\n")), "hello.agent_id");
  ExpectInvalid(CheckHello(HelloFrom(std::string("a\0b", 3))), "hello.agent_id");
  ExpectInvalid(CheckHello(HelloFrom("agent/1")), "hello.agent_id");
  ExpectInvalid(CheckHello(HelloFrom("\xc3\xa9t\xc3\xa9")), "hello.agent_id");
}

TEST(CheckSamplesTest, AcceptsGoodBatches) {
  EXPECT_TRUE(CheckSamples(BatchOf(GoodSample()), 10).ok());
  EXPECT_TRUE(CheckSamples(v1::SampleBatch(), 10).ok());
  v1::Sample zero = GoodSample();
  zero.set_duration_ns(0);  // a clock tick can be too coarse to see a step
  EXPECT_TRUE(CheckSamples(BatchOf(zero), 10).ok());
}

TEST(CheckSamplesTest, RejectsBadFieldsByName) {
  v1::Sample s = GoodSample();
  s.set_job_id(0);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.job_id = 0");

  s = GoodSample();
  s.set_attempt(-1);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.attempt = -1");

  s = GoodSample();
  s.set_sequence(-5);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.sequence = -5");

  // The ack's samples_through (sequence + 1) must not overflow.
  s = GoodSample();
  s.set_sequence(std::numeric_limits<int64_t>::max());
  ExpectInvalid(CheckSamples(BatchOf(s), 10),
                "sample.sequence = 9223372036854775807");
  s.set_sequence(std::numeric_limits<int64_t>::max() - 1);
  EXPECT_TRUE(CheckSamples(BatchOf(s), 10).ok());

  s = GoodSample();
  s.set_duration_ns(-1);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.duration_ns = -1");

  s = GoodSample();
  s.set_phase(v1::PHASE_UNSPECIFIED);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.phase = 0");

  s = GoodSample();
  s.set_phase(static_cast<v1::Phase>(42));
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.phase = 42");
}

TEST(CheckSamplesTest, RejectsNegativeBlockSizes) {
  v1::Sample s = GoodSample();
  s.set_iterations(16);
  EXPECT_TRUE(CheckSamples(BatchOf(s), 10).ok());
  s.set_iterations(-4);
  ExpectInvalid(CheckSamples(BatchOf(s), 10), "sample.iterations = -4");
}

TEST(CheckSamplesTest, RejectsABadSampleAnywhereInTheBatch) {
  v1::SampleBatch batch = BatchOf(GoodSample());
  v1::Sample bad = GoodSample();
  bad.set_sequence(1);
  bad.set_duration_ns(-3);
  *batch.add_samples() = bad;
  ExpectInvalid(CheckSamples(batch, 10), "sample.duration_ns = -3");
}

TEST(CheckSamplesTest, RejectsTooManySamples) {
  v1::SampleBatch batch;
  for (int i = 0; i < 4; ++i) {
    v1::Sample s = GoodSample();
    s.set_sequence(i);
    *batch.add_samples() = s;
  }
  EXPECT_TRUE(CheckSamples(batch, 4).ok());
  ExpectInvalid(CheckSamples(batch, 3), "samples.size = 4");
}

TEST(CheckResultTest, AcceptsGoodResults) {
  EXPECT_TRUE(CheckResult(GoodResult()).ok());

  v1::JobResult failed;
  failed.set_job_id(1);
  failed.set_attempt(1);
  failed.set_status(v1::JOB_STATUS_FAILED);
  failed.set_error(std::string(kMaxErrorLength, 'e'));
  EXPECT_TRUE(CheckResult(failed).ok());
}

TEST(CheckResultTest, RejectsBadIdsAndStatusByName) {
  v1::JobResult r = GoodResult();
  r.set_job_id(-2);
  ExpectInvalid(CheckResult(r), "result.job_id = -2");

  r = GoodResult();
  r.set_attempt(0);
  ExpectInvalid(CheckResult(r), "result.attempt = 0");

  r = GoodResult();
  r.set_status(v1::JOB_STATUS_UNSPECIFIED);
  ExpectInvalid(CheckResult(r), "result.status = 0");

  r = GoodResult();
  r.set_status(static_cast<v1::JobStatus>(9));
  ExpectInvalid(CheckResult(r), "result.status = 9");
}

TEST(CheckResultTest, RejectsOversizedErrorText) {
  v1::JobResult r = GoodResult();
  r.set_status(v1::JOB_STATUS_FAILED);
  r.set_error(std::string(kMaxErrorLength + 1, 'e'));
  ExpectInvalid(CheckResult(r), "result.error.size = 4097");
}

TEST(CheckResultTest, RejectsAnOkResultWithoutATimedIteration) {
  v1::JobResult r = GoodResult();
  r.mutable_step()->set_n(0);
  ExpectInvalid(CheckResult(r), "result.step.n = 0: an OK result needs");
  r.set_status(v1::JOB_STATUS_FAILED);  // a failed job may have timed nothing
  EXPECT_TRUE(CheckResult(r).ok());

  r = GoodResult();
  r.mutable_spec()->set_batch_size(0);
  ExpectInvalid(CheckResult(r), "result.spec.batch_size = 0");
  r.mutable_spec()->set_batch_size(-3);
  ExpectInvalid(CheckResult(r), "result.spec.batch_size = -3");
}

TEST(CheckResultTest, BoundsProvenanceStrings) {
  v1::JobResult r = GoodResult();
  v1::Provenance& p = *r.mutable_provenance();
  p.set_agent_version("0.1");
  p.set_source_revision(std::string(40, 'a'));
  p.set_libtorch_version("1.13.1");
  p.set_blas_vendor("openblas");
  p.set_blas_library("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
  p.set_compiler("gcc 12.2.0");
  EXPECT_TRUE(CheckResult(r).ok());

  p.set_blas_library(std::string(kMaxProvenanceLength + 1, 'x'));
  ExpectInvalid(CheckResult(r), "result.provenance.blas_library.size = 513");
  p.set_blas_library("libblas.so");
  p.set_compiler("gcc\n12");
  ExpectInvalid(CheckResult(r), "result.provenance.compiler = \"gcc\\n12\"");
}

// NaN compares false with everything, so a naive `< 0` check lets it through.
TEST(CheckResultTest, RejectsNaNAndInfiniteStatistics) {
  v1::JobResult r = GoodResult();
  r.mutable_step()->set_median_ms(std::numeric_limits<double>::quiet_NaN());
  ExpectInvalid(CheckResult(r), "result.step.median_ms = nan");

  r = GoodResult();
  r.mutable_step()->set_p99_ms(std::numeric_limits<double>::infinity());
  ExpectInvalid(CheckResult(r), "result.step.p99_ms");

  r = GoodResult();
  r.set_items_per_second(std::numeric_limits<double>::quiet_NaN());
  ExpectInvalid(CheckResult(r), "result.items_per_second");

  r = GoodResult();
  r.set_offline_items_per_second(std::numeric_limits<double>::quiet_NaN());
  ExpectInvalid(CheckResult(r), "result.offline_items_per_second");

  r = GoodResult();
  r.mutable_cost()->set_forward_flops(std::numeric_limits<double>::infinity());
  ExpectInvalid(CheckResult(r), "result.cost.forward_flops = inf");
}

TEST(CheckResultTest, RejectsNegativeStatisticsByName) {
  v1::JobResult r = GoodResult();
  r.mutable_step()->set_n(-1);
  ExpectInvalid(CheckResult(r), "result.step.n = -1");

  r = GoodResult();
  r.mutable_step()->set_mean_ms(-0.5);
  ExpectInvalid(CheckResult(r), "result.step.mean_ms = -0.5");

  r = GoodResult();
  r.mutable_step()->set_cv(-1);
  ExpectInvalid(CheckResult(r), "result.step.cv = -1");

  r = GoodResult();
  r.set_items_per_second(-80);
  ExpectInvalid(CheckResult(r), "result.items_per_second = -80");
}

}  // namespace
}  // namespace benchfleet::coordinator
