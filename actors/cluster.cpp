#include "actors/cluster.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/behavior_impl.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/run.hpp"
#include "actors/run_setup.hpp"

namespace fabro::actors {
namespace {

struct endpoint_state {
  orchestrator_actor orch;
  event_hub_actor local_hub;
  std::vector<event_hub_actor> joined;  // other nodes' hubs, while they are up
  static inline const char* name = "cluster_endpoint";
};

using endpoint_pointer = cluster_endpoint_actor::stateful_pointer<endpoint_state>;

cluster_endpoint_actor::behavior_type endpoint_impl(endpoint_pointer self,
                                                    event_hub_actor local_hub) {
  self->state.local_hub = std::move(local_hub);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& joined = self->state.joined;
    joined.erase(std::remove_if(joined.begin(), joined.end(),
                                [&](const event_hub_actor& h) { return h.address() == dm.source; }),
                 joined.end());
  });
  return {
      [=](join_atom, event_hub_actor& hub, executor_actor& executor, std::string& node,
          uint64_t slots) -> caf::result<orchestrator_actor> {
        if (!self->state.orch)
          return to_error(model::errc::unavailable, "The queue authority is starting.");
        self->monitor(hub);
        self->state.joined.push_back(std::move(hub));
        if (executor)
          self->send(self->state.orch, join_atom::value, std::move(executor), std::move(node),
                     slots);
        return self->state.orch;
      },
      [=](publish_atom, std::vector<published_event>& events) {
        for (const auto& hub : self->state.joined) self->send(hub, publish_atom::value, events);
        if (self->state.local_hub)
          self->send(self->state.local_hub, publish_atom::value, std::move(events));
      },
      [=](orchestrator_actor& orch) { self->state.orch = std::move(orch); },
  };
}

// A response handler that takes whatever answer comes (CAF 0.17 offers
// catch-all handlers to blocking actors only): the gateway relays answers
// of every type, errors included, without listing them.
class any_answer final : public caf::detail::behavior_impl {
 public:
  explicit any_answer(std::function<void(caf::message)> fn) : fn_(std::move(fn)) {
    begin_ = end_ = nullptr;
  }
  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor&) override {
    return caf::match_case::no_match;
  }
  caf::match_case::result invoke(caf::detail::invoke_result_visitor&,
                                 caf::type_erased_tuple& xs) override {
    fn_(caf::message::copy(xs));
    return caf::match_case::match;
  }

 private:
  std::function<void(caf::message)> fn_;
};

struct gateway_state {
  caf::actor target;
  bool mirror_exit = false;  // a run's relay: ends as its target did
  // Requests relayed to `target` and not answered yet: failed with 503
  // when it goes down (a remote orchestrator's node died), since no
  // answer will come.
  std::unordered_map<uint64_t, caf::response_promise> pending;
  uint64_t next = 1;
  static inline const char* name = "orchestrator_gateway";
};

void fail_pending(gateway_state& st) {
  for (auto& [id, rp] : st.pending)
    rp.deliver(to_error(model::errc::unavailable,
                        "The queue authority went away before it answered; retry shortly."));
  st.pending.clear();
}

caf::behavior gateway_impl(caf::stateful_actor<gateway_state>* self, caf::actor target,
                           bool mirror_exit) {
  self->state.mirror_exit = mirror_exit;
  if (target) {
    self->state.target = target;
    self->monitor(target);
  }
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source != self->state.target.address()) return;
    fail_pending(self->state);
    self->state.target = caf::actor();
    if (self->state.mirror_exit) self->quit(dm.reason);
  });
  self->set_default_handler([self](caf::scheduled_actor*, caf::message_view& msg)
                                -> caf::result<caf::message> {
    auto& st = self->state;
    if (!st.target)
      return to_error(model::errc::unavailable,
                      "No queue authority is reachable at the moment; retry shortly.");
    auto rp = self->make_response_promise();
    auto id = st.next++;
    st.pending.emplace(id, rp);
    auto handle = self->request(st.target, caf::infinite, msg.move_content_to_message());
    caf::behavior relay;
    caf::intrusive_ptr<caf::detail::behavior_impl> impl{
        caf::make_counted<any_answer>([self, id](caf::message answer) {
          auto it = self->state.pending.find(id);
          if (it == self->state.pending.end()) return;  // failed already
          it->second.deliver(std::move(answer));
          self->state.pending.erase(it);
        })};
    relay.assign(std::move(impl));
    self->add_multiplexed_response_handler(handle.id(), std::move(relay));
    return rp;
  });
  return {
      [=](retarget_atom, orchestrator_actor& orch) {
        fail_pending(self->state);  // a new target: the old one's answers are not awaited
        self->state.target = caf::actor_cast<caf::actor>(orch);
        self->monitor(self->state.target);
      },
      [=](retarget_atom) {
        fail_pending(self->state);
        self->state.target = caf::actor();
      },
      // The journal only serves the HTTP threads of its own node.
      [=](intake_atom) -> caf::result<journal_actor> {
        auto& target = self->state.target;
        if (!target || target.node() != self->node())
          return to_error(model::errc::unavailable, "No local journal behind this gateway.");
        auto rp = self->make_response_promise();
        rp.delegate(target, intake_atom::value);
        return rp;
      },
  };
}

struct executor_state {
  run_options opts;
  std::unordered_map<caf::actor_addr, run_actor> runs;
  static inline const char* name = "executor";
};

executor_actor::behavior_type executor_impl(
    executor_actor::stateful_pointer<executor_state> self, run_options opts) {
  self->state.opts = std::move(opts);
  self->set_down_handler([=](caf::down_msg& dm) { self->state.runs.erase(dm.source); });
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [addr, run] : self->state.runs) self->send_exit(run, msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](run_atom, model::run_record& record, journal_actor& journal,
          queue_manager_actor& queue) -> caf::actor {
        auto opts = self->state.opts;
        opts.queue = std::move(queue);
        auto run = spawn_run(self->system(), std::move(record), std::move(journal), opts);
        self->monitor(run);
        self->state.runs.emplace(run.address(), run);
        return caf::actor_cast<caf::actor>(run);
      },
  };
}

}  // namespace

cluster_endpoint_actor spawn_cluster_endpoint(caf::actor_system& sys, event_hub_actor local_hub) {
  return sys.spawn(endpoint_impl, std::move(local_hub));
}

caf::actor spawn_orchestrator_gateway(caf::actor_system& sys) {
  return sys.spawn(gateway_impl, caf::actor(), false);
}

caf::actor spawn_relay(caf::actor_system& sys, caf::actor target) {
  return sys.spawn(gateway_impl, std::move(target), true);
}

executor_actor spawn_executor(caf::actor_system& sys, const orchestrator_config& cfg) {
  return sys.spawn(executor_impl, make_run_options(sys, cfg));
}

orchestrator_actor as_orchestrator(const caf::actor& gateway) {
  return caf::actor_cast<orchestrator_actor>(gateway);
}

void add_cluster_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<model::problem>("fabro::problem")
      .add_message_type<model::new_run>("fabro::new_run")
      .add_message_type<model::run_record>("fabro::run_record")
      .add_message_type<model::run_event>("fabro::run_event")
      .add_message_type<model::control_action>("fabro::control_action")
      .add_message_type<model::human_answer>("fabro::human_answer")
      .add_message_type<std::vector<model::stored_artifact>>("fabro::stored_artifacts")
      .add_message_type<store::store_usage>("fabro::store_usage")
      .add_message_type<create_result>("fabro::create_result")
      .add_message_type<run_page>("fabro::run_page")
      .add_message_type<run_usage_page>("fabro::run_usage_page")
      .add_message_type<event_page>("fabro::event_page")
      .add_message_type<orchestrator_stats>("fabro::orchestrator_stats")
      .add_message_type<std::vector<published_event>>("fabro::published_events")
      .add_message_type<orchestrator_actor>("fabro::orchestrator_actor")
      .add_message_type<event_hub_actor>("fabro::event_hub_actor")
      .add_message_type<journal_actor>("fabro::journal_actor")
      .add_message_type<queue_manager_actor>("fabro::queue_manager_actor")
      .add_message_type<executor_actor>("fabro::executor_actor")
      .add_message_type<run_actor>("fabro::run_actor")
      .add_message_type<std::vector<store::run_write>>("fabro::run_writes")
      .add_message_type<std::vector<store::write_outcome>>("fabro::write_outcomes")
      .add_message_type<model::gate_answer>("fabro::gate_answer");
}

}  // namespace fabro::actors
