// The offer to compensate the camera's measured delay, with the learner's two answers.
interface Props {
  offer: string;
  onAccept(): void;
  onDecline(): void;
}

export function DelayOffer({ offer, onAccept, onDecline }: Props) {
  return (
    <div className="delay-offer card" role="group" aria-label="Camera delay" data-testid="camera-delay-offer">
      <p>{offer}</p>
      <button type="button" className="primary" onClick={onAccept}>
        Compensate
      </button>
      <button type="button" onClick={onDecline}>
        No, keep it
      </button>
    </div>
  );
}
