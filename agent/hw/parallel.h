// Runs a fixed number of threads together and times them as one run. The
// threads meet at a spinning barrier and stamp their own start and end, so
// thread creation, wake-up and join latency stay outside the timed span. A
// ThreadTeam keeps its threads between runs (as an OpenMP team does), so
// each stays on the CPU the scheduler gave it instead of a new thread
// landing on a busy CPU and being migrated mid-measurement.
#ifndef BENCHFLEET_AGENT_HW_PARALLEL_H_
#define BENCHFLEET_AGENT_HW_PARALLEL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace benchfleet::hw {

// A team of `threads` threads: the caller's thread is member 0, the others
// are started once and wait for work. Run() is not reentrant; use a team
// from one thread at a time.
class ThreadTeam {
 public:
  // threads < 1 counts as 1.
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return threads_; }

  // Runs body(i) for every member i at once and returns the wall seconds
  // from the first member's start of body to the last one's end.
  double Run(const std::function<void(int)>& body);

 private:
  using Clock = std::chrono::steady_clock;
  void Worker(int i);
  void Member(int i);

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> arrived_{0};
  std::atomic<int> finished_{0};
  const std::function<void(int)>* body_ = nullptr;
  std::vector<Clock::time_point> start_, end_;
};

// One Run() of a temporary team of `threads` threads.
double RunTimedOnThreads(int threads, const std::function<void(int)>& body);

// Logical CPUs this process may run on (its affinity mask); at least 1.
int AvailableCpus();

// [begin, end) of part `i` of `parts` of n items, the part boundaries rounded
// to multiples of `align` items so threads do not share cache lines.
void SplitRange(int64_t n, int parts, int i, int64_t align, int64_t* begin,
                int64_t* end);

}  // namespace benchfleet::hw

#endif  // BENCHFLEET_AGENT_HW_PARALLEL_H_
