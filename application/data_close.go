package application

import (
	"context"

	"github.com/sfu-cluster/sfu-cluster/domain"
)

// CloseProducer closes one data producer (POST /data_producers/:id/close): its row and its data consumers' rows,
// then on its slave the data producer with its data consumers and pipe streams, and on the room's other slaves
// its piped copies with theirs; data_producer_removed announces it. As a peer's close, the store is the truth: a
// slave that fails to close is reported, not returned. domain.ErrDataProducerNotFound for an unknown id (or one
// closed concurrently).
func (u *DataChannels) CloseProducer(ctx context.Context, dataProducerID string) error {
	dp, err := u.d.Rooms.GetDataProducer(ctx, dataProducerID)
	if err != nil {
		return err
	}
	peer, err := u.d.Rooms.GetPeer(ctx, dp.PeerID)
	if err != nil {
		return err
	}
	if err := authorizePeer(ctx, peer); err != nil {
		return err
	}
	var slaves []string
	err = u.d.Rooms.WithinTx(ctx, func(tx RoomRepo) error {
		var err error
		if slaves, err = otherSlavesOfRoom(ctx, tx, peer); err != nil {
			return err
		}
		return tx.DeleteDataProducer(ctx, dp.ID)
	})
	if err != nil {
		return err
	}
	u.d.closeOnSlave(ctx, peer.SlaveID, "close data producer "+dp.ID, func(ctx context.Context, n SFUNode) error {
		return n.CloseDataProducer(ctx, dp.ID)
	})
	u.d.closeDataCopies(ctx, peer, dataCopies{producers: []domain.DataProducer{dp}, slaves: slaves})
	return nil
}

// CloseConsumer closes one data consumer (POST /data_consumers/:id/close): its row, then its stream on its slave
// (the client's data channel closes). domain.ErrDataConsumerNotFound for an unknown id.
func (u *DataChannels) CloseConsumer(ctx context.Context, dataConsumerID string) error {
	dc, err := u.d.Rooms.GetDataConsumer(ctx, dataConsumerID)
	if err != nil {
		return err
	}
	peer, err := u.d.Rooms.GetPeer(ctx, dc.PeerID)
	if err != nil {
		return err
	}
	if err := authorizePeer(ctx, peer); err != nil {
		return err
	}
	if err := u.d.Rooms.DeleteDataConsumer(ctx, dc.ID); err != nil {
		return err
	}
	u.d.closeOnSlave(ctx, peer.SlaveID, "close data consumer "+dc.ID, func(ctx context.Context, n SFUNode) error {
		return n.CloseDataConsumer(ctx, dc.ID)
	})
	return nil
}
