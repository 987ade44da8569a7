// Package audiolevel turns the RFC 6464 audio levels of a router's audio producers into what a conference app
// shows: the volumes of the loudest producers (mediasoup's AudioLevelObserver) and the dominant speaker
// (mediasoup's ActiveSpeakerObserver idea: a speaker holds the floor; a short noise does not take it).
//
// The engine reads the level byte of each audio packet on the producer's receive path and only adds it to a
// per-producer sum and count; an Observer per router is fed those sums once per tick by the engine's observer
// goroutine and decides what to report. Nothing here runs per packet.
package audiolevel
