"""mattran: work management and reporting for Vietnam Fatherland Front committees."""
