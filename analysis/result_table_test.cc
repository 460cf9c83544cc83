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
  ok.set_items_per_second(31.936);
  ok.set_intra_op_threads(2);

  v1::JobResult failed = ok;
  failed.set_job_id(2);
  failed.set_status(v1::JOB_STATUS_FAILED);
  failed.set_error("resnet50 batch 8: out of memory, \"alloc\"");
  failed.mutable_step()->set_n(0);
  return {ok, failed};
}

TEST(ResultTableTest, Golden) {
  EXPECT_EQ(RenderResultsTable(Fixture()),
            "job  model     input      batch  mode       device  median_ms  "
            "p90_ms   items/s  iters  threads  status\n"
            "1    resnet50  3x224x224  8      inference  cpu     250.500    "
            "260.250  31.9     12     2        ok\n"
            "2    resnet50  3x224x224  8      inference  cpu     -          -"
            "        -        0      2        failed\n"
            "job 2: resnet50 batch 8: out of memory, \"alloc\"\n");
}

TEST(ResultTableTest, CsvGoldenQuotesErrors) {
  EXPECT_EQ(RenderResultsCsv(Fixture()),
            "job,model,input,batch,mode,device,median_ms,p90_ms,items/s,iters,"
            "threads,status,error\n"
            "1,resnet50,3x224x224,8,inference,cpu,250.5,260.25,31.936,12,2,ok,"
            "\n"
            "2,resnet50,3x224x224,8,inference,cpu,-,-,-,0,2,failed,"
            "\"resnet50 batch 8: out of memory, \"\"alloc\"\"\"\n");
}

TEST(ResultTableTest, EmptyHasHeaderOnly) {
  EXPECT_EQ(RenderResultsCsv({}),
            "job,model,input,batch,mode,device,median_ms,p90_ms,items/s,iters,"
            "threads,status,error\n");
}

}  // namespace
}  // namespace benchfleet::analysis
