#include "analysis/result_table.h"

#include "gtest/gtest.h"

namespace benchfleet::analysis {
namespace {

std::vector<v1::JobResult> Fixture() {
  v1::JobResult ok;
  ok.set_job_id(1);
  ok.mutable_spec()->set_model("resnet50");
  ok.mutable_spec()->mutable_input()->set_channels(3);
  ok.mutable_spec()->mutable_input()->set_height(224);
  ok.mutable_spec()->mutable_input()->set_width(224);
  ok.mutable_spec()->set_batch_size(8);
  ok.mutable_spec()->set_mode(v1::MODE_INFERENCE);
  ok.set_status(v1::JOB_STATUS_OK);
  ok.mutable_step()->set_n(12);
  ok.mutable_step()->set_median_ms(250.5);
  ok.mutable_step()->set_p90_ms(260.25);
  ok.mutable_step()->set_iqr_ms(5.01);
  ok.set_items_per_second(31.936);
  ok.set_achieved_flops_per_second(262.44e9);
  ok.set_intra_op_threads(2);

  // Training in bf16 and channels_last, unstable, with a warning.
  v1::JobResult training = ok;
  training.set_job_id(3);
  training.mutable_spec()->set_mode(v1::MODE_TRAINING);
  training.mutable_spec()->set_precision(v1::PRECISION_BF16);
  training.set_memory_format(v1::MEMORY_FORMAT_CHANNELS_LAST);
  training.mutable_step()->set_median_ms(800);
  training.mutable_step()->set_p90_ms(900);
  training.mutable_step()->set_iqr_ms(120);
  training.set_unstable(true);
  training.set_items_per_second(10);
  training.set_achieved_flops_per_second(243.5e9);
  training.set_forward_backward_latency_ratio(0.4567);
  training.set_forward_backward_flop_ratio(0.5102);
  training.add_warnings("unstable: IQR is 15.0% of the median (over 10%)");

  v1::JobResult failed = ok;
  failed.set_job_id(2);
  failed.set_status(v1::JOB_STATUS_FAILED);
  failed.set_error("resnet50 batch 8: out of memory, \"alloc\"");
  failed.mutable_step()->set_n(0);
  return {ok, training, failed};
}

TEST(ResultTableTest, Golden) {
  EXPECT_EQ(
      RenderResultsTable(Fixture()),
      "job  model     input      batch  mode       device  dtype  layout  "
      "median_ms  p90_ms   iqr%  items/s  gflop/s  fwd:bwd_t  fwd:bwd_flop  "
      "iters  threads  status\n"
      "1    resnet50  3x224x224  8      inference  cpu     fp32   nchw    "
      "250.500    260.250  2.0   31.9     262.4    -          -             "
      "12     2        ok\n"
      "3    resnet50  3x224x224  8      training   cpu     bf16   nhwc    "
      "800.000    900.000  15.0  10.0     243.5    0.457      0.510         "
      "12     2        unstable\n"
      "2    resnet50  3x224x224  8      inference  cpu     fp32   nchw    "
      "-          -        -     -        -        -          -             "
      "0      2        failed\n"
      "job 3: warning: unstable: IQR is 15.0% of the median (over 10%)\n"
      "job 2: resnet50 batch 8: out of memory, \"alloc\"\n");
}

TEST(ResultTableTest, CsvGoldenQuotesErrors) {
  EXPECT_EQ(RenderResultsCsv(Fixture()),
            "job,model,input,batch,mode,device,dtype,layout,median_ms,p90_ms,"
            "iqr%,items/s,gflop/s,fwd:bwd_t,fwd:bwd_flop,iters,threads,status,"
            "error,warnings\n"
            "1,resnet50,3x224x224,8,inference,cpu,fp32,nchw,250.5,260.25,2,"
            "31.936,262.44,-,-,12,2,ok,,\n"
            "3,resnet50,3x224x224,8,training,cpu,bf16,nhwc,800,900,15,10,243.5,"
            "0.4567,0.5102,12,2,unstable,,"
            "unstable: IQR is 15.0% of the median (over 10%)\n"
            "2,resnet50,3x224x224,8,inference,cpu,fp32,nchw,-,-,-,-,-,-,-,0,2,"
            "failed,\"resnet50 batch 8: out of memory, \"\"alloc\"\"\",\n");
}

TEST(ResultTableTest, AnUnsetInputReadsAsTheModelsDefault) {
  v1::JobResult r = Fixture()[0];
  r.mutable_spec()->clear_input();
  const std::string csv = RenderResultsCsv({r});
  EXPECT_NE(csv.find(",resnet50,default,8,inference,cpu,"), std::string::npos) << csv;
}

TEST(ResultTableTest, EmptyHasHeaderOnly) {
  EXPECT_EQ(RenderResultsCsv({}),
            "job,model,input,batch,mode,device,dtype,layout,median_ms,p90_ms,"
            "iqr%,items/s,gflop/s,fwd:bwd_t,fwd:bwd_flop,iters,threads,status,"
            "error,warnings\n");
}

}  // namespace
}  // namespace benchfleet::analysis
