// Request → actor → response without blocking the HTTP thread (DESIGN §3).
//
// ask() spawns a one-shot actor that sends `xs...` to `dest` and, when the
// answer comes, calls on_value(reply, value) on a CAF thread; an error
// answer (or a dead actor: its promises break) becomes the problem's
// response. The HTTP handler returns at once.
//
// No timeout: every orchestrator request is answered, or fails when the
// actor holding its promise dies. The 60 s timeout this had put one timer
// per request in CAF's clock (4–7 µs of CPU each, benchmarks/README.md),
// whose entries outlive the request by up to a minute.
#pragma once

#include <chrono>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/errors.hpp"
#include "http/reply.hpp"

namespace fabro::http {


// The same, with the error answer's problem given to on_error(reply,
// problem) (which must answer) instead of sent as it is.
template <class Value, class Dest, class OnValue, class OnError, class... Ts>
void ask_or(caf::actor_system& sys, const Dest& dest, reply_ptr rep, OnValue on_value,
            OnError on_error, Ts&&... xs) {
  // The request travels as a spawn argument: CAF 0.17 dereferences a null
  // argument tuple when a function actor takes none (UBSan reports it).
  auto msg = std::make_tuple(std::forward<Ts>(xs)...);
  sys.spawn([dest, rep = std::move(rep), on_value = std::move(on_value),
             on_error = std::move(on_error)](caf::event_based_actor* self, decltype(msg) msg) {
    std::apply(
        [&](auto&&... args) {
          self->request(dest, caf::infinite, args...)
              .then([rep, on_value](Value& v) { on_value(*rep, v); },
                    [rep, on_error](caf::error& err) {
                      auto p = actors::to_problem(err);
                      on_error(*rep, p);
                    });
        },
        msg);
  }, std::move(msg));
}

template <class Value, class Dest, class OnValue, class... Ts>
void ask(caf::actor_system& sys, const Dest& dest, reply_ptr rep, OnValue on_value,
         Ts&&... xs) {
  ask_or<Value>(sys, dest, std::move(rep), std::move(on_value),
                [](reply& r, model::problem& p) { r.send_problem(p); },
                std::forward<Ts>(xs)...);
}

}  // namespace fabro::http
