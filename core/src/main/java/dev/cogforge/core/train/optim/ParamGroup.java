package dev.cogforge.core.train.optim;

import java.util.List;

/** Parameters sharing a learning rate and weight decay, like a torch param group. */
public final class ParamGroup {
    private final List<NamedParam> params;
    private double lr;
    private final double weightDecay;

    public ParamGroup(List<NamedParam> params, double lr, double weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public List<NamedParam> params() {
        return params;
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    public double weightDecay() {
        return weightDecay;
    }
}
