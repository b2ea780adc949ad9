mod remote;
