package domain

// LessLoaded is the order in which the master places work on slaves (every SlaveRepo's PickSlave picks the least
// of the placeable candidates): reserved transports relative to capacity (compared exactly, by cross-multiplying),
// then reported CPU, then age (OlderThan).
func (s Slave) LessLoaded(o Slave) bool {
	rs, ro := s.TransportCount*max(o.MaxTransports, 1), o.TransportCount*max(s.MaxTransports, 1)
	if rs != ro {
		return rs < ro
	}
	if s.Load.CPU != o.Load.CPU {
		return s.Load.CPU < o.Load.CPU
	}
	return s.OlderThan(o)
}

// OlderThan orders slaves by registration: earlier CreatedAt first, then id, so that the order is total.
func (s Slave) OlderThan(o Slave) bool {
	if !s.CreatedAt.Equal(o.CreatedAt) {
		return s.CreatedAt.Before(o.CreatedAt)
	}
	return s.ID < o.ID
}
